import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';

/** One morning report as delivered (its Markdown) with its delivery log. */
export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const res = await gql<{ report: { forDate: string; timezone: string; markdown: string; deliveries: Array<{ id: string; status: string; attempts: number }> } | null }>(
    'query($id: ID!) { report(id: $id) { forDate timezone markdown deliveries { id status attempts } } }', { id });
  if (!res.ok) return <><h2>Morning report</h2><ApiErrors errors={res.errors} /></>;
  const r = res.data.report;
  if (!r) return <><h2>Morning report</h2><p className="empty">No report {id}.</p></>;
  return (
    <>
      <h2>Morning report, {r.forDate} <span className="muted">({r.timezone})</span></h2>
      <pre className="markdown panel" data-testid="report-markdown">{r.markdown}</pre>
      <p className="muted">Deliveries: {r.deliveries.length ? r.deliveries.map((d) => `${d.status} (${d.attempts})`).join(', ') : 'none (no channel)'}</p>
      <p><Link href="/reports">← Reports</Link></p>
    </>
  );
}
