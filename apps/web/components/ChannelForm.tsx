'use client';
import { useActionState } from 'react';
import { type FormState, createChannel } from '@/app/(main)/budgets/actions';

/** A new alert channel (webhook, Slack, e-mail) for one budget or all; a webhook's secret is shown once. */
export function ChannelForm({ budgets }: { budgets: Array<{ id: string; name: string }> }) {
  const [state, action, pending] = useActionState<FormState, FormData>(createChannel, { error: null });
  return (
    <form action={action} className="toolbar" aria-label="New alert channel">
      <label>Name <input name="name" required /></label>
      <label>Type <select name="type"><option>webhook</option><option>slack</option><option>email</option></select></label>
      <label>Target (URL or e-mail) <input name="target" required /></label>
      <label>Budget <select name="budgetId"><option value="">every budget</option>{budgets.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}</select></label>
      <button type="submit" disabled={pending}>Add channel</button>
      {state.error && <p className="error" role="alert">{state.error}</p>}
      {state.secret && <p className="callout">Signing secret (shown once): <code>{state.secret}</code></p>}
    </form>
  );
}
