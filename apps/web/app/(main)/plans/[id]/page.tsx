// One plan: its cost over its life, its tasks in order with what each cost, the forecast of
// what it will cost in all (in progress), and the budgets that apply to it.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ApiErrors } from '@/components/ApiErrors';
import { BudgetsInScope } from '@/components/BudgetsInScope';
import { Chart } from '@/components/Chart';
import { SegmentTable } from '@/components/SegmentTable';
import { SeriesTable } from '@/components/SeriesTable';
import { gql } from '@/lib/api';
import { axisHref } from '@/lib/axes';
import { seriesChart, valueOf } from '@/lib/breakdown';
import { formatMeasure, formatMoney, formatTime } from '@/lib/format';
import { PlanDocument, type PlanQuery } from '@/lib/graphql/operations';

type Forecast = PlanQuery['planForecasts'][number];

/** All of the plan's spend (no range: a plan's life is its events', whenever they were). */
async function planData(id: string) {
  return gql(PlanDocument, { id, ids: [id], f: [{ member: 'plan_id', operator: 'equals', values: [id] }] });
}

function ForecastPanel({ forecast }: { forecast: Forecast | undefined }) {
  return (
    <section className="panel scroll" aria-labelledby="plan-forecast-h" data-testid="plan-forecast">
      <h3 id="plan-forecast-h">Spend vs forecast</h3>
      {!forecast ? <p className="empty">No forecast: the plan is not in progress or has no open tasks.</p> : (
        <>
          <dl className="kv">
            <dt>Spent so far</dt><dd data-value={forecast.spent}>{formatMoney(forecast.spent)}</dd>
            <dt>Open tasks</dt><dd>{forecast.openTasks}{forecast.unprofiled ? ` (${forecast.unprofiled} unprofiled)` : ''}</dd>
            <dt>Remaining (expected)</dt><dd data-value={forecast.remaining ?? ''}>{formatMoney(forecast.remaining)}</dd>
            <dt>Forecast total</dt><dd data-testid="forecast-total" data-value={forecast.forecastTotal ?? ''}>{formatMoney(forecast.forecastTotal)} <span className="muted">({formatMoney(forecast.forecastLow)} – {formatMoney(forecast.forecastHigh)}, p25–p90)</span></dd>
          </dl>
          {forecast.budgets.length > 0 && (
            <table style={{ marginTop: 12 }}><thead><tr><th scope="col">Budget</th><th className="num" scope="col">Amount</th><th className="num" scope="col">Forecast over by</th><th scope="col">Outlook</th></tr></thead>
              <tbody>{forecast.budgets.map((b) => (
                <tr key={b.budgetId}><td>{b.name}</td><td className="num" data-value={b.amount}>{formatMoney(b.amount)}</td><td className="num" data-value={b.overBy ?? ''}>{formatMoney(b.overBy)}</td>
                  <td>{b.exceeds ? <span className="badge over">exceeds</span> : b.mayExceed ? <span className="badge warning">may exceed</span> : <span className="badge ok">within</span>}
                    {b.exceedProbability !== null && b.exceedProbability !== undefined ? ` ${(b.exceedProbability * 100).toFixed(0)}% likely over` : ''}</td></tr>
              ))}</tbody></table>
          )}
        </>
      )}
    </section>
  );
}

export default async function PlanPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  const res = await planData(id);
  if (res.ok && res.data.plans.length === 0) notFound();
  if (!res.ok) return <><h2>Plan {id}</h2><ApiErrors errors={res.errors} /></>;
  const { plans: [plan], tasks, totals, byTask, byTaskType, byModel, trend, planForecasts } = res.data;
  const taskCost = new Map(byTask.children.map((c) => [c.value, c]));
  const ordered = [...tasks].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return (
    <>
      <h2>{plan!.name ?? plan!.id} <span className="badge">{plan!.status}</span></h2>
      <p className="muted" data-testid="plan-meta">{plan!.id} · owner {plan!.owner ?? '—'} · recorded {formatTime(plan!.createdAt)}{plan!.closedAt ? `, closed ${formatTime(plan!.closedAt)}` : ''}
        {plan!.sourceDocument ? ` · ${plan!.sourceDocument}` : ''} · <Link href={`/plans/compare?ids=${encodeURIComponent(id)}`}>compare</Link></p>
      <div className="kpis">
        <div className="panel kpi" data-testid="plan-cost" data-value={valueOf(totals, 'total_cost') ?? ''}><div className="label">Cost</div><div className="value">{formatMoney(valueOf(totals, 'total_cost'))}</div></div>
        <div className="panel kpi" data-testid="plan-calls" data-value={valueOf(totals, 'calls') ?? ''}><div className="label">Calls</div><div className="value">{formatMeasure('calls', valueOf(totals, 'calls'))}</div></div>
        <div className="panel kpi"><div className="label">Completed tasks</div><div className="value">{formatMeasure('completed_tasks', valueOf(totals, 'completed_tasks'))} of {tasks.length}</div></div>
        <div className="panel kpi"><div className="label">Cost / completed task</div><div className="value">{formatMoney(valueOf(totals, 'cost_per_completed_task'))}</div></div>
      </div>
      <div className="grid">
        <section className="panel"><h3>Daily cost over the plan’s life <span className="muted">(days with spend)</span></h3><Chart id="plan-trend" label={`Daily cost of plan ${id}`} spec={seriesChart(trend, 'total_cost', 'bar')}
          dataTable={<SeriesTable ts={trend} measure="total_cost" label="Daily cost" testId="plan-trend-table" />} /></section>
        <ForecastPanel forecast={planForecasts[0]} />
        <BudgetsInScope context={[{ dimension: 'plan_id', value: id }]} />
        <SegmentTable testId="plan-task-types" title="By task type" node={byTaskType} />
        <SegmentTable testId="plan-models" title="By model" node={byModel} href={(v) => axisHref('models', v)} />
      </div>
      <section className="panel scroll" aria-labelledby="plan-tasks-h">
        <h3 id="plan-tasks-h">Tasks ({tasks.length}), in the order they were created</h3>
        {ordered.length === 0 ? <p className="empty">No tasks recorded for this plan.</p> : (
          <table data-testid="plan-tasks"><thead><tr><th scope="col">Task</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Closed</th>
            <th className="num" scope="col">Estimate</th><th className="num" scope="col">Calls</th><th className="num" scope="col">Cost</th></tr></thead>
            <tbody>{ordered.map((t) => {
              const c = taskCost.get(t.id);
              return (
                <tr key={t.id} data-task-id={t.id}><td>{t.id}</td><td>{t.taskType ?? '—'}</td><td><span className="badge">{t.status}</span></td><td>{formatTime(t.createdAt)}</td><td>{formatTime(t.closedAt)}</td>
                  <td className="num">{t.estimate ?? '—'}</td><td className="num">{formatMeasure('calls', valueOf(c, 'calls'))}</td>
                  <td className="num" data-value={valueOf(c, 'total_cost') ?? ''}>{formatMoney(valueOf(c, 'total_cost'))}</td></tr>
              );
            })}</tbody></table>
        )}
      </section>
    </>
  );
}
