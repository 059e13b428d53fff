// Anomalies: sessions and tasks costing more than their peers, to triage. Filters, order and
// grouping live in the URL; the impact and totals are the API's (summed in the database).
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { AnomaliesDocument } from '@/lib/graphql/operations';
import { anomalyFilterArgs, anomalyHref, anomalyQuery } from '@/lib/anomalies';
import { AnomalyRow, Filters, Groups, type Row, type Summary, Totals } from './parts';

const PAGE = 25;

export default async function Anomalies({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const q = anomalyQuery(await searchParams);
  const res = await gql(AnomaliesDocument, {
    ...anomalyFilterArgs(q), order: q.sort, first: PAGE, after: q.after ?? null, group: q.group ?? 'subject', grouped: !!q.group,
  });
  return (
    <>
      <h2>Anomalies</h2>
      <Filters q={q} />
      {!res.ok ? <ApiErrors errors={res.errors} /> : (
        <>
          <Totals s={res.data.anomalySummary} />
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
