import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { ReportDocument } from '@/lib/graphql/operations';
import { Anomalies, Budgets, EconomicsLines, Kpis, Providers, SessionTrend, Shares, explorerHref } from './parts';

/** One morning report: its figures with small charts and links into the explorer; the Markdown as sent to Slack below. */
export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const res = await gql(ReportDocument, { id });
  if (!res.ok) return <><h2>Morning report</h2><ApiErrors errors={res.errors} /></>;
  const r = res.data.report;
  if (!r) return <><h2>Morning report</h2><p className="empty">No report {id}.</p></>;
  // The 7 days reported, as dates (the GraphQL figures leave them out; the stored JSON has them).
  const { from, to } = (JSON.parse(r.figuresJson) as { last7Days: { from: string; to: string } }).last7Days;
  const range = { from: from.slice(0, 10), to: to.slice(0, 10) };
  const f = r.figures;
  return (
    <>
      <h2>Morning report, {r.forDate} <span className="muted">({r.timezone})</span></h2>
      <Kpis f={f} />
      <div className="grid">
        <section className="panel"><h3>Cost per session, last {f.trend.sessions} sessions</h3><SessionTrend costs={f.trend.costs} /></section>
        <section className="panel"><h3>Budgets at risk</h3><Budgets rows={f.budgetsAtRisk} /></section>
      </div>
      <section className="panel scroll" style={{ marginBottom: 16 }}>
        <h3>Cost by provider and model, last 7 days <Link className="muted" href={explorerHref(range, ['provider', 'model'])} data-testid="report-explore">open in the explorer</Link></h3>
        <Providers f={f} range={range} />
      </section>
      <div className="grid">
        <Shares title="Top work items, last 7 days" rows={f.topWorkItems} member="work_item" range={range} testId="report-work-items" />
        <Shares title="Top plans, last 7 days" rows={f.topPlans} member="plan_id" range={range} testId="report-plans" />
      </div>
      <EconomicsLines f={f} />
      <section className="panel" style={{ marginBottom: 16 }}><h3>Anomalies</h3><Anomalies rows={f.anomalies} /></section>
      <details className="panel"><summary>As sent to Slack (Markdown)</summary><pre className="markdown" data-testid="report-markdown">{r.markdown}</pre></details>
      <p className="muted">Deliveries: {r.deliveries.length ? r.deliveries.map((d) => `${d.status} (${d.attempts})`).join(', ') : 'none (no channel)'}</p>
      <p><Link href="/reports">← Reports</Link></p>
    </>
  );
}
