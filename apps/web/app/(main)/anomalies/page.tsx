// Anomalies: sessions and tasks costing more than their peers, to triage. The range (the shared
// picker, with "compare to previous period"), filters, order and grouping live in the URL; the
// impact and totals are the API's (summed in the database), the previous period's as well.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { AnomaliesDocument } from '@/lib/graphql/operations';
import { RangePicker } from '@/components/RangePicker';
import { anomalyFilterArgs, anomalyFilterParams, anomalyHref, anomalyQuery, anomalyRange } from '@/lib/anomalies';
import { periodLabel } from '@/lib/breakdown';
import { periodOf } from '@/lib/period-of';
import { previousRange } from '@/lib/query-state';
import { AnomalyRow, Filters, Groups, type Row, type Summary, Totals } from './parts';

const PAGE = 25;

export default async function Anomalies({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const q = anomalyQuery(await searchParams);
  const range = anomalyRange(q);
  const comparing = !!q.compare;
  // The range's period and the one before it, as the API's clock names them (as on every page).
  const [period, before] = await Promise.all([periodOf(range), comparing ? periodOf(previousRange(range)) : null]);
  const res = !period.ok ? period : before && !before.ok ? before : await gql(AnomaliesDocument, {
    ...anomalyFilterArgs(q, period.data), order: q.sort, first: PAGE, after: q.after ?? null, group: q.group ?? 'subject', grouped: !!q.group,
    compare: comparing, previousFrom: before?.ok ? before.data.from : null, previousTo: before?.ok ? before.data.to : null,
  });
  return (
    <>
      <h2>Anomalies</h2>
      <RangePicker path="/anomalies" range={range} compare={comparing} extra={anomalyFilterParams(q)} />
      {period.ok && (
        <p className="muted" data-testid="anomaly-period" data-from={period.data.from} data-to={period.data.to}>
          Detection windows overlapping {periodLabel(period.data)}{before?.ok && <> · compared with {periodLabel(before.data)}</>}
        </p>
      )}
      <Filters q={q} />
      {!res.ok ? <ApiErrors errors={res.errors} /> : (
        <>
          <Totals s={res.data.anomalySummary} previous={res.data.previous} />
          {q.group ? <Groups q={{ ...q, group: q.group }} groups={res.data.anomalySummary.groups ?? []} /> : <List q={q} rows={res.data.anomalies ?? []} />}
        </>
      )}
    </>
  );
}

function List({ q, rows }: { q: ReturnType<typeof anomalyQuery>; rows: Row[] }) {
  if (rows.length === 0) return <p className="empty panel">{q.after ? 'No more anomalies.' : 'No anomaly matches these filters (the worker checks every hour).'}</p>;
  return (
    <section className="panel scroll">
      <table data-testid="anomalies"><thead><tr><th scope="col">Session or task</th><th className="num" scope="col">Dollar impact</th><th scope="col">Why</th><th scope="col">Triage</th></tr></thead>
        <tbody>{rows.map((a) => <AnomalyRow key={a.id} a={a} />)}</tbody></table>
      <nav className="chips" aria-label="Pages" style={{ marginTop: 12 }}>
        {q.after && <Link href={anomalyHref(q)}>First page</Link>}
        {rows.length === PAGE && <Link data-testid="next-page" href={anomalyHref(q, { after: rows.at(-1)!.cursor })}>Next page →</Link>}
      </nav>
    </section>
  );
}
