'use client';
// The nav's bell: the caller's unread notifications (alert rules), polled from the API. Browser
// notifications are asked for on a click only (browsers refuse a prompt nobody asked for); once
// allowed, each notification that arrives while the tab is open is shown by the browser too.
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { type BellState, latestNotifications, markNotificationsRead } from '@/app/(main)/notification-actions';

const POLL_MS = 10_000;

type Permission = NotificationPermission | 'unsupported';
const permissionNow = (): Permission => (typeof window !== 'undefined' && 'Notification' in window ? Notification.permission : 'unsupported');

export function NotificationBell() {
  const [state, setState] = useState<BellState>({ unread: 0, notifications: [] });
  const [open, setOpen] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [permission, setPermission] = useState<Permission>('unsupported');
  /** Ids already seen: only those arriving later are announced to the browser. */
  const seen = useRef<Set<string> | null>(null);

  const refresh = useCallback(async () => {
    const next = await latestNotifications().catch(() => null);
    if (!next) return;
    const known = seen.current;
    if (known && permissionNow() === 'granted') {
      for (const n of next.notifications) if (!known.has(n.id) && !n.read) new Notification(n.ruleName, { body: n.title, tag: n.id });
    }
    seen.current = new Set([...(known ?? []), ...next.notifications.map((n) => n.id)]);
    setState(next);
    setLoaded(true);
  }, []);

  useEffect(() => {
    setPermission(permissionNow());
    void refresh();
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const markAll = async () => {
    await markNotificationsRead(null);
    await refresh();
  };
  const ask = async () => setPermission(await Notification.requestPermission());

  return (
    <div className="bell" data-testid="notification-bell" data-loaded={loaded}>
      <button type="button" aria-expanded={open} aria-controls="notification-list" onClick={() => setOpen(!open)}
        aria-label={`Notifications, ${state.unread} unread`}>
        Notifications {state.unread > 0 && <span className="badge" data-testid="unread-count">{state.unread}</span>}
      </button>
      {open && (
        <div id="notification-list" className="panel bell-list">
          {state.notifications.length === 0 ? <p className="muted">No notifications yet. <Link href="/alerts">Alert rules</Link></p> : (
            <ul>{state.notifications.map((n) => (
              <li key={n.id} className={n.read ? 'muted' : undefined}>
                {n.anomalySubject ? <Link href={`/anomalies?subject=${encodeURIComponent(n.anomalySubject)}`}>{n.title}</Link> : n.title}
                <br /><small><time dateTime={n.occurredAt}>{new Date(n.occurredAt).toLocaleString()}</time>{n.read ? '' : ' · unread'}</small>
              </li>
            ))}</ul>
          )}
          <p className="chips">
            {state.unread > 0 && <button type="button" onClick={() => void markAll()}>Mark all read</button>}
            <Link href="/alerts">Alert rules</Link>
          </p>
        </div>
      )}
      {permission === 'default' && <button type="button" className="link" onClick={() => void ask()}>Enable browser notifications</button>}
    </div>
  );
}
