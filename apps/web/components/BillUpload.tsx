'use client';
// Upload of a provider's bill (admins): the format and the file; the API's refusal is shown as it
// names the line and field, so the file can be fixed.
import { useActionState } from 'react';
import { type UploadShown, uploadBill } from '@/app/(main)/reconciliation/actions';
import { BILL_LABELS, BILL_SOURCES } from '@/lib/bills';

const START: UploadShown = { round: 0, error: null };

export function BillUpload() {
  const [state, action, pending] = useActionState(uploadBill, START);
  return (
    <form key={state.round} action={action} aria-label="Upload a bill" className="toolbar" style={{ flexWrap: 'wrap', gap: 12 }}>
      <label className="field">Format<select name="source" defaultValue="focus">{BILL_SOURCES.map((s) => <option key={s} value={s}>{BILL_LABELS[s]}</option>)}</select></label>
      <label className="field">Bill file<input name="file" type="file" accept=".csv,.json,text/csv,application/json" required aria-invalid={state.field === 'file' || undefined} /></label>
      <button className="primary" type="submit" disabled={pending}>{pending ? 'Importing…' : 'Import'}</button>
      {state.error && <p role="alert" className="error" data-field={state.field ?? ''} data-line={state.line ?? ''}>{state.error}</p>}
      {state.note && <p role="status">{state.note}</p>}
    </form>
  );
}
