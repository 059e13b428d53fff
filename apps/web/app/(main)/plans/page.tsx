// Plans: status and cost of each (select some to compare), forecasts of the ones in
// progress with their intervals, and the outliers among them.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { valueOf } from '@/lib/breakdown';
import { formatMeasure, formatMoney } from '@/lib/format';
import { PlansDocument } from '@/lib/graphql/operations';

export default async function Plans() {
  const res = await gql(PlansDocument);
  if (!res.ok) return <><h2>Plans</h2><ApiErrors errors={res.errors} /></>;
  const { plans, cost, planForecasts, planOutliers } = res.data;
  const byPlan = new Map(cost.children.map((c) => [c.value, c]));
  return (
    <>
      <h2>Plans</h2>
      <form action="/plans/compare" className="panel scroll" style={{ marginBottom: 16 }}>
        <div className="toolbar" style={{ justifyContent: 'space-between' }}><h3>All plans</h3><button type="submit" className="primary">Compare selected</button></div>
        {plans.length === 0 ? <p className="empty">No plans yet: events with a plan_id create them.</p> : (
          <table data-testid="plans">
            <thead><tr><th scope="col"><span className="muted">Compare</span></th><th scope="col">Plan</th><th scope="col">Status</th><th scope="col">Owner</th>
              <th className="num" scope="col">Cost</th><th className="num" scope="col">Calls</th><th className="num" scope="col">Completed tasks</th><th className="num" scope="col">Cost / completed task</th></tr></thead>
            <tbody>{plans.map((p) => {
              const c = byPlan.get(p.id);
              return (
                <tr key={p.id} data-plan-id={p.id}>
                  <td><input type="checkbox" name="ids" value={p.id} aria-label={`Compare ${p.id}`} /></td>
                  <td><Link href={`/plans/${encodeURIComponent(p.id)}`}>{p.name ?? p.id}</Link> <span className="muted">{p.id}</span></td>
                  <td><span className="badge">{p.status}</span></td><td>{p.owner ?? '—'}</td>
                  <td className="num" data-value={valueOf(c, 'total_cost') ?? ''}>{formatMoney(valueOf(c, 'total_cost'))}</td>
                  <td className="num">{formatMeasure('calls', valueOf(c, 'calls'))}</td>
                  <td className="num">{formatMeasure('completed_tasks', valueOf(c, 'completed_tasks'))}</td>
                  <td className="num">{formatMoney(valueOf(c, 'cost_per_completed_task'))}</td>
                </tr>
              );
            })}</tbody>
          </table>
        )}
      </form>
      <section className="panel scroll" style={{ marginBottom: 16 }}>
        <h3>Forecasts of plans in progress</h3>
        {planForecasts.length === 0 ? <p className="empty">No plan in progress with open tasks.</p> : (
          <table data-testid="forecasts">
            <thead><tr><th scope="col">Plan</th><th className="num" scope="col">Spent</th><th className="num" scope="col">Open tasks</th><th className="num" scope="col">Remaining (median)</th>
              <th className="num" scope="col">Forecast total</th><th className="num" scope="col">Interval (p25–p90)</th><th scope="col">Budget</th></tr></thead>
            <tbody>{planForecasts.map((f) => (
              <tr key={f.planId}><td><Link href={`/plans/${encodeURIComponent(f.planId)}`}>{f.name ?? f.planId}</Link></td><td className="num">{formatMoney(f.spent)}</td><td className="num">{f.openTasks}{f.unprofiled ? ` (${f.unprofiled} unprofiled)` : ''}</td>
                <td className="num">{formatMoney(f.remaining)}</td><td className="num" data-value={f.forecastTotal ?? ''}>{formatMoney(f.forecastTotal)}</td>
                <td className="num">{formatMoney(f.forecastLow)} – {formatMoney(f.forecastHigh)}</td>
                <td>{f.exceedsBudget ? <span className="badge over">exceeds its budget</span> : '—'}</td></tr>
            ))}</tbody>
          </table>
        )}
      </section>
      <section className="panel scroll">
        <h3>Outliers ({planOutliers.metric.replaceAll('_', ' ')}; median {planOutliers.median === null ? '—' : formatMoney(planOutliers.median)} over {planOutliers.plans} plans)</h3>
        {planOutliers.outliers.length === 0 ? <p className="empty">No plan stands out from its peers.</p> : (
          <table><thead><tr><th scope="col">Plan</th><th className="num" scope="col">Value</th><th className="num" scope="col">Score</th><th className="num" scope="col">Cost</th><th scope="col">Explained by</th></tr></thead>
            <tbody>{planOutliers.outliers.map((o) => (
              <tr key={o.planId}><td><Link href={`/plans/compare?ids=${encodeURIComponent(o.planId)}`}>{o.planId}</Link></td><td className="num">{formatMoney(o.value)}</td>
                <td className="num">{o.score.toFixed(2)} ({o.direction})</td><td className="num">{formatMoney(o.totalCost)}</td>
                <td>{o.explanation ? `${o.explanation.dimension} = ${o.explanation.value ?? '—'}: ${formatMoney(o.explanation.excessCost)} beyond the peers’ mix` : '—'}</td></tr>
            ))}</tbody></table>
        )}
      </section>
    </>
  );
}
