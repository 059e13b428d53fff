'use client';
// A new dashboard from ticked shared views, and the editor of one: add, remove, reorder, resize tiles.
import { useActionState, useState } from 'react';
import { createDashboard, saveDashboard } from '@/app/(main)/views/actions';
import type { TileSize } from '@/lib/views';

interface ViewOption { id: string; name: string }

export function NewDashboard({ views }: { views: ViewOption[] }) {
  const [state, action, pending] = useActionState(createDashboard, { error: null });
  return (
    <form action={action} className="panel" data-testid="new-dashboard" style={{ marginBottom: 16 }}>
      <h3>New dashboard</h3>
      <div className="toolbar"><label>Name <input name="name" aria-label="Dashboard name" required maxLength={200} /></label></div>
      {views.length ? (
        <fieldset><legend>Tiles (shared views, in this order)</legend>
          {views.map((v) => <label key={v.id} style={{ display: 'block' }}><input type="checkbox" name="viewId" value={v.id} aria-label={`Add ${v.name}`} /> {v.name}</label>)}
        </fieldset>
      ) : <p className="muted">No shared views yet: save one from the explorer, shared with the workspace.</p>}
      <button type="submit" className="primary" disabled={pending}>{pending ? 'Creating…' : 'Create dashboard'}</button>
      {state.error && <p className="error" role="alert">{state.error}</p>}
    </form>
  );
}

type Tile = { viewId: string; size: TileSize };

export function DashboardEditor({ id, name: initialName, tiles: initial, views }: { id: string; name: string; tiles: Tile[]; views: ViewOption[] }) {
  const [name, setName] = useState(initialName);
  const [tiles, setTiles] = useState<Tile[]>(initial);
  const [adding, setAdding] = useState(views[0]?.id ?? '');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const nameOf = (viewId: string) => views.find((v) => v.id === viewId)?.name ?? viewId;
  const move = (i: number, by: number) => setTiles((t) => {
    const next = [...t];
    const [tile] = next.splice(i, 1);
    next.splice(Math.max(0, Math.min(next.length, i + by)), 0, tile!);
    return next;
  });
  const save = async () => {
    setBusy(true);
    const r = await saveDashboard(id, name, tiles);
    setBusy(false);
    setMessage(r.ok ? { ok: true, text: 'Saved.' } : { ok: false, text: r.error });
  };
  return (
    <section className="panel" data-testid="dashboard-editor" style={{ marginTop: 16 }}>
      <h3>Edit dashboard</h3>
      <div className="toolbar"><label>Name <input aria-label="Dashboard name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} /></label></div>
      <ol>
        {tiles.map((t, i) => (
          <li key={`${t.viewId}-${i}`} data-testid="editor-tile" data-view={t.viewId}>
            {nameOf(t.viewId)}{' '}
            <select aria-label={`Size of ${nameOf(t.viewId)}`} value={t.size} onChange={(e) => setTiles((all) => all.map((x, j) => (j === i ? { ...x, size: e.target.value as TileSize } : x)))}>
              <option value="small">small</option><option value="medium">medium</option><option value="large">large</option>
            </select>{' '}
            <button type="button" aria-label={`Move ${nameOf(t.viewId)} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
            <button type="button" aria-label={`Move ${nameOf(t.viewId)} down`} disabled={i === tiles.length - 1} onClick={() => move(i, 1)}>↓</button>
            <button type="button" aria-label={`Remove ${nameOf(t.viewId)}`} onClick={() => setTiles((all) => all.filter((_, j) => j !== i))}>Remove</button>
          </li>
        ))}
      </ol>
      {views.length > 0 && (
        <div className="toolbar">
          <label>Shared view
            <select aria-label="View to add" value={adding} onChange={(e) => setAdding(e.target.value)}>{views.map((v) => <option key={v.id} value={v.id}>{v.name}</option>)}</select>
          </label>
          <button type="button" onClick={() => adding && setTiles((all) => [...all, { viewId: adding, size: 'medium' }])}>Add tile</button>
        </div>
      )}
      <button type="button" className="primary" onClick={save} disabled={busy}>{busy ? 'Saving…' : 'Save dashboard'}</button>
      {message && <p className={message.ok ? 'muted' : 'error'} role={message.ok ? 'status' : 'alert'} data-testid="dashboard-saved">{message.text}</p>}
    </section>
  );
}
