'use client';
// Cost pools from a FOCUS 1.x file (AWS, Azure, GCP, FinOps tools), for people who manage
// economics: the column naming the pools and how the new pools are allocated. The API's refusal
// is shown as it names the line and column, so the file can be fixed.
import { useActionState } from 'react';
import { type PoolsShown, uploadPools } from '@/app/(main)/profitability/actions';

const INITIAL: PoolsShown = { round: 0, error: null };
const OVER = [['none', 'no rule yet'], ['workflow', 'workflows'], ['feature', 'features'], ['customer', 'customers'], ['plan', 'plans']] as const;
const BY = [['cost', 'in proportion to cost'], ['tokens', 'in proportion to tokens'], ['calls', 'in proportion to calls'], ['even', 'evenly']] as const;

export function PoolUpload() {
  const [shown, submit, busy] = useActionState(uploadPools, INITIAL);
  return (
    <form key={shown.round} action={submit} aria-label="Import cost pools" className="toolbar" style={{ flexWrap: 'wrap', gap: 12 }}>
      <label className="field">FOCUS file<input name="file" type="file" accept=".csv,text/csv" required aria-invalid={shown.field === 'file' || undefined} /></label>
      <label className="field">One pool per<input name="groupBy" defaultValue="ServiceName" aria-invalid={shown.field === 'group_by' || undefined} /></label>
      <label className="field">Allocate new pools over<select name="over" defaultValue="workflow">{OVER.map(([v, l]) => <option key={v} value={v}>{l}</option>)}</select></label>
      <label className="field">Split<select name="by" defaultValue="cost">{BY.map(([v, l]) => <option key={v} value={v}>{l}</option>)}</select></label>
      <button className="primary" type="submit" disabled={busy}>{busy ? 'Importing…' : 'Import pools'}</button>
      {shown.error && <p role="alert" className="error" data-field={shown.field ?? ''} data-line={shown.line ?? ''}>{shown.error}</p>}
      {shown.note && <p role="status">{shown.note}</p>}
    </form>
  );
}
