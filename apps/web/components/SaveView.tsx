'use client';
// "Save view": the explorer's state under a name, private or shared with the workspace, drawn as
// a chart over time, bars or the table on a dashboard.
import { useState } from 'react';
import { saveView } from '@/app/(main)/views/actions';
import type { ViewChart, ViewStateInput } from '@/lib/graphql/operations';

export function SaveView({ state }: { state: ViewStateInput }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(true);
  const [chart, setChart] = useState<ViewChart>('timeseries');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ id: string } | { error: string } | null>(null);
  if (!open) return <button type="button" onClick={() => setOpen(true)} data-testid="save-view-open">Save view</button>;
  const save = async () => {
    setBusy(true);
    const r = await saveView({ name, shared, state: { ...state, chart } });
    setBusy(false);
    setResult(r.ok ? { id: r.id } : { error: r.error });
  };
  return (
    <div className="panel" data-testid="save-view" style={{ marginBottom: 12 }}>
      <div className="toolbar">
        <label>Name <input aria-label="View name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required /></label>
        <label>Drawn as
          <select aria-label="Drawn as" value={chart} onChange={(e) => setChart(e.target.value as ViewChart)}>
            <option value="timeseries">chart over time</option><option value="bar">bars</option><option value="table">table</option>
          </select>
        </label>
        <label><span><input type="checkbox" aria-label="Shared with the workspace" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Shared with the workspace</span></label>
        <button type="button" className="primary" onClick={save} disabled={busy || !name.trim()}>{busy ? 'Saving…' : 'Save'}</button>
        <button type="button" onClick={() => { setOpen(false); setResult(null); }}>Close</button>
      </div>
      {result && 'error' in result && <p className="error" role="alert">{result.error}</p>}
      {result && 'id' in result && <p role="status" data-testid="view-saved" data-id={result.id}>Saved. <a href="/views">Your views</a> · <a href="/dashboards">Dashboards</a></p>}
    </div>
  );
}
