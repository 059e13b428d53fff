'use client';
// The user_id values my calls carry, when they are not my e-mail (e.g. the --user of my machines).
import { useActionState } from 'react';
import { type IdsState, saveDeveloperIds } from './actions';

export function DeveloperIdsForm({ ids }: { ids: string[] }) {
  const [state, action, pending] = useActionState<IdsState, FormData>(saveDeveloperIds, { error: null });
  return (
    <form action={action} className="panel" aria-label="My developer ids" style={{ marginTop: 16 }}>
      <h3>Which calls are mine</h3>
      <label>user_id values, comma-separated (empty: my e-mail and its local part)
        <input name="ids" defaultValue={ids.join(', ')} style={{ width: '100%' }} />
      </label>
      {state.error && <p className="error" role="alert">{state.error}</p>}
      <p><button type="submit" disabled={pending}>{pending ? 'Saving…' : 'Save'}</button></p>
    </form>
  );
}
