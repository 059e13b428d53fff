import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { formatChange, formatMoney } from '@/lib/format';
import { ReportsDocument } from '@/lib/graphql/operations';

/** The morning reports, newest first. */
export default async function Reports() {
  const res = await gql(ReportsDocument);
  if (!res.ok) return <><h2>Morning reports</h2><ApiErrors errors={res.errors} /></>;
  return (
    <>
      <h2>Morning reports</h2>
      <section className="panel">
        {res.data.reports.length === 0 ? <p className="empty">No report yet (written every morning for the day before).</p> : (
          <table data-testid="reports"><thead><tr><th scope="col">Day</th><th className="num" scope="col">Cost</th><th className="num" scope="col">vs day before</th><th className="num" scope="col">7 days</th><th className="num" scope="col">Anomalies</th><th className="num" scope="col">Budgets at risk</th></tr></thead>
            <tbody>{res.data.reports.map((r) => (
              <tr key={r.id}><td><Link href={`/reports/${r.id}`}>{r.forDate}</Link></td><td className="num">{formatMoney(r.figures.yesterday.cost)}</td>
                <td className="num">{formatChange(Number(r.figures.yesterday.cost), Number(r.figures.yesterday.previousCost))}</td><td className="num">{formatMoney(r.figures.last7Days.cost)}</td>
                <td className="num">{r.figures.anomalies.length}</td><td className="num">{r.figures.budgetsAtRisk.length}</td></tr>
            ))}</tbody></table>
        )}
      </section>
    </>
  );
}
