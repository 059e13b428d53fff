'use client';
// A saved view's rename/share form on the views page, with the API's refusal shown beside it.
import { useActionState } from 'react';
import { renameView } from '@/app/(main)/views/actions';

export function ViewEdit({ id, name, shared }: { id: string; name: string; shared: boolean }) {
  const [state, action, pending] = useActionState(renameView, { error: null });
  return (
    <form action={action} className="toolbar" style={{ marginBottom: 0 }}>
      <input type="hidden" name="id" value={id} />
      <input name="name" aria-label={`New name of ${name}`} defaultValue={name} maxLength={200} />
      <label><span><input type="checkbox" name="shared" aria-label={`Share ${name}`} defaultChecked={shared} /> shared</span></label>
      <button type="submit" disabled={pending}>Save</button>
      {state.error && <span className="error" role="alert">{state.error}</span>}
    </form>
  );
}
