// One budget: standing, threshold history with deliveries, edit, pause/resume/delete.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { BudgetForm } from '@/components/BudgetForm';
import { ConfirmSubmit } from '@/components/ConfirmSubmit';
import { UsageBar } from '@/components/UsageBar';
import { gql } from '@/lib/api';
import { allows, getMe } from '@/lib/me';
import { formatBudgetAmount, outlookText, periodText, scopeText } from '@/lib/budgets';
import { formatTime } from '@/lib/format';
import { BudgetDocument } from '@/lib/graphql/operations';
import { budgetCommand } from '../actions';

export default async function BudgetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const res = await gql(BudgetDocument, { id });
  if (!res.ok) return <><h2>Budget</h2><ApiErrors errors={res.errors} /></>;
  const b = res.data.budget;
  if (!b) return <><h2>Budget</h2><p className="empty">No budget {id} in this workspace. <Link href="/budgets">All budgets</Link></p></>;
  const manage = allows(await getMe(), 'budgets:manage');
  const command = (name: string, label: string) => (
    <form action={budgetCommand}><input type="hidden" name="id" value={b.id} /><input type="hidden" name="command" value={name} />
      {name === 'deleteBudget' ? <ConfirmSubmit label={label} question={`Delete the budget “${b.name}”? Its history goes with it; this cannot be undone.`} /> : <button type="submit">{label}</button>}</form>
  );
  return (
    <>
      <h2>{b.name} <span className={`badge ${b.state}`}>{b.blocking ? 'blocking' : b.state}</span></h2>
      {b.blocking && <p className="error" role="status">Hard stop: work in this budget’s scope is denied until {formatTime(b.periodEnd)} or until the limit is raised.</p>}
      {b.scopeWarnings.map((w) => <p key={w.message} className="callout" data-testid="scope-warning">This budget counts nothing for it: {w.message}</p>)}
      <div className="kpis">
        <div className="panel kpi"><div className="label">{b.unit === 'cost' ? 'Spend this period' : `Usage this ${b.rollingHours ? `${b.rollingHours}-hour window` : 'period'}`}</div><div className="value" data-testid="budget-spend" data-value={b.spend}>{formatBudgetAmount(b, b.spend)}</div><div className="sub">of {formatBudgetAmount(b, b.amount)}{b.unit === 'cost' ? ` ${b.currency}` : ''}</div></div>
        <div className="panel kpi"><div className="label">Used</div><UsageBar percent={b.percentUsed} state={b.state} /></div>
        <div className="panel kpi"><div className="label">{b.period === 'rolling' ? 'A whole window at this pace' : 'Projected at period end'}</div><div className="value">{formatBudgetAmount(b, b.projectedSpend)}</div><div className="sub" data-testid="budget-outlook" data-outlook={b.outlook}>{outlookText(b, formatTime)}</div></div>
        <div className="panel kpi"><div className="label">Scope</div><div>{scopeText(b)}</div><div className="sub">{periodText(b)}, {b.mode}, {b.timezone}; period {formatTime(b.periodStart)} – {formatTime(b.periodEnd)}</div></div>
      </div>
      {manage && <div className="chips" style={{ marginBottom: 16 }}>{b.paused ? command('resumeBudget', 'Resume') : command('pauseBudget', 'Pause')}{command('deleteBudget', 'Delete')}</div>}
      <section className="panel" style={{ marginBottom: 16 }}>
        <h3>Threshold history</h3>
        {b.alerts.length === 0 ? <p className="empty">No threshold crossed yet.</p> : (
          <table><thead><tr><th scope="col">When</th><th scope="col">Alert</th><th className="num" scope="col">Spend / limit</th><th scope="col">Deliveries</th></tr></thead>
            <tbody>{b.alerts.map((a) => (
              <tr key={a.id}><td>{formatTime(a.occurredAt)}</td><td>{a.kind === 'forecast' ? `projected ${formatBudgetAmount(b, a.projectedSpend)}, crossing ${formatTime(a.projectedCrossingAt)}` : `${a.threshold}% reached`}</td>
                <td className="num">{formatBudgetAmount(b, a.spend)} / {formatBudgetAmount(b, a.limit)}</td>
                <td>{a.deliveries.length ? a.deliveries.map((d) => `${d.status} (${d.attempts})${d.lastError ? `: ${d.lastError}` : ''}`).join('; ') : '—'}</td></tr>
            ))}</tbody></table>
        )}
      </section>
      {manage && <BudgetForm budget={b} dimensions={res.data.meta.dimensions.filter((d) => d.type !== 'time')} />}
    </>
  );
}
