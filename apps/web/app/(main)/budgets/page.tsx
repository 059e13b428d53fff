// Budgets: standing of each (spend, percent, projection, hard stop), a new-budget form, alert channels.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { BudgetForm } from '@/components/BudgetForm';
import { ChannelForm } from '@/components/ChannelForm';
import { ConfirmSubmit } from '@/components/ConfirmSubmit';
import { UsageBar } from '@/components/UsageBar';
import { gql } from '@/lib/api';
import { allows, getMe } from '@/lib/me';
import { formatBudgetAmount, periodText, scopeText } from '@/lib/budgets';
import { formatTime } from '@/lib/format';
import { deleteChannel } from './actions';
import { BudgetsDocument } from '@/lib/graphql/operations';

export default async function Budgets() {
  const res = await gql(BudgetsDocument);
  if (!res.ok) return <><h2>Budgets</h2><ApiErrors errors={res.errors} /></>;
  const { budgets, alertChannels, meta } = res.data;
  const me = await getMe();
  const [manageBudgets, manageChannels] = [allows(me, 'budgets:manage'), allows(me, 'channels:manage')];
  const names = new Map(budgets.map((b) => [b.id, b.name]));
  return (
    <>
      <h2>Budgets</h2>
      <section className="panel scroll" style={{ marginBottom: 16 }}>
        {budgets.length === 0 ? <p className="empty">No budgets yet{manageBudgets ? ': create one below' : ''}.</p> : (
          <table data-testid="budgets">
            <thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Period</th><th scope="col">State</th><th className="num" scope="col">Spend</th>
              <th className="num" scope="col">Amount</th><th scope="col">Used</th><th className="num" scope="col">Projected</th><th scope="col">Period ends</th></tr></thead>
            <tbody>{budgets.map((b) => (
              <tr key={b.id} data-budget-id={b.id}>
                <td><Link href={`/budgets/${b.id}`}>{b.name}</Link> {b.mode === 'hard' && <span className="badge">hard</span>}</td>
                <td>{scopeText(b)}</td><td>{periodText(b)}</td>
                <td><span className={`badge ${b.state}`}>{b.blocking ? 'blocking' : b.state}</span></td>
                <td className="num" data-value={b.spend}>{formatBudgetAmount(b, b.spend)}</td><td className="num">{formatBudgetAmount(b, b.amount)}</td>
                <td><UsageBar percent={b.percentUsed} state={b.state} /></td>
                <td className="num">{formatBudgetAmount(b, b.projectedSpend)}</td><td>{formatTime(b.periodEnd)}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </section>
      {manageBudgets && <BudgetForm dimensions={meta.dimensions.filter((d) => d.type !== 'time')} />}
      <section className="panel" style={{ marginTop: 16 }}>
        <h3>Alert channels</h3>
        {alertChannels.length === 0 ? <p className="empty">No channels: alerts are recorded but not delivered.</p> : (
          <table><tbody>{alertChannels.map((c) => (
            <tr key={c.id}><td>{c.name}</td><td>{c.type}</td><td>{c.target}</td><td>{c.budgetId ? names.get(c.budgetId) ?? c.budgetId : 'every budget'}</td>
              <td>{manageChannels && <form action={deleteChannel}><input type="hidden" name="id" value={c.id} /><ConfirmSubmit label="Delete" ariaLabel={`Delete channel ${c.name}`} question={`Delete the alert channel “${c.name}”? Alerts stop going to it.`} /></form>}</td></tr>
          ))}</tbody></table>
        )}
        {manageChannels && <ChannelForm budgets={budgets} />}
      </section>
    </>
  );
}
