'use client';
// "Share as embed": an opaque, expiring, revocable token for this chart (or a whole dashboard) and a copy-paste iframe snippet.
import { useState } from 'react';
import { type EmbedSpec, createEmbed } from '@/app/embed-actions';
import { createDashboardEmbed } from '@/app/(main)/views/actions';

type Shared = { spec: EmbedSpec; dashboard?: undefined } | { dashboard: { id: string; name: string }; spec?: undefined };

export function EmbedShare({ spec, dashboard }: Shared) {
  const title = spec?.title ?? dashboard!.name;
  const [open, setOpen] = useState(false);
  const [theme, setTheme] = useState<'light' | 'dark'>('light');
  const [hours, setHours] = useState(168);
  const [result, setResult] = useState<{ url: string; expiresAt: string } | { error: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    const r = spec ? await createEmbed(spec, theme, hours) : await createDashboardEmbed(dashboard!.id, theme, hours);
    setBusy(false);
    setResult(r.ok ? { url: `${window.location.origin}${r.path}`, expiresAt: r.expiresAt } : { error: r.error });
  };
  const snippet = result && 'url' in result
    ? `<iframe src="${result.url}" title="${title.replace(/"/g, '&quot;')}" width="100%" height="${spec ? 360 : 900}" style="border:0" loading="lazy"></iframe>` : '';
  if (!open) return <button type="button" onClick={() => setOpen(true)}>Share as embed</button>;
  return (
    <div className="panel" data-testid="embed-share" style={{ marginTop: 12 }}>
      <div className="toolbar">
        <label>Theme <select aria-label="Embed theme" value={theme} onChange={(e) => setTheme(e.target.value as 'light' | 'dark')}><option>light</option><option>dark</option></select></label>
        <label>Expires in
          <select aria-label="Embed expiry" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            <option value={24}>1 day</option><option value={168}>7 days</option><option value={720}>30 days</option><option value={2160}>90 days</option>
          </select>
        </label>
        <button type="button" className="primary" onClick={create} disabled={busy}>{busy ? 'Creating…' : 'Create embed link'}</button>
        <button type="button" onClick={() => { setOpen(false); setResult(null); }}>Close</button>
      </div>
      {result && 'error' in result && <p className="error" role="alert">{result.error}</p>}
      {result && 'url' in result && <>
        <p>Anyone with this link sees this {spec ? 'chart' : 'dashboard'} (read-only) until {result.expiresAt}. <a href={result.url} target="_blank" rel="noreferrer" data-testid="embed-url">Open</a></p>
        <pre className="snippet" data-testid="embed-snippet">{snippet}</pre>
        <button type="button" onClick={() => navigator.clipboard?.writeText(snippet)}>Copy snippet</button>
      </>}
    </div>
  );
}
