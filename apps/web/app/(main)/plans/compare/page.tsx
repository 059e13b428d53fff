// Selected plans side by side: their measures, and the split by task type, step and model.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { formatMeasure, formatPercent } from '@/lib/format';
import { ComparePlansDocument, type ComparePlansQuery } from '@/lib/graphql/operations';

type Profile = ComparePlansQuery['comparePlans'][number];

const MEASURES = ['total_cost', 'calls', 'error_rate', 'distinct_tasks', 'completed_tasks', 'cost_per_completed_task', 'completed_tasks_per_dollar', 'total_tokens', 'tokens_per_task'];
const SPLITS: Array<['byTaskType' | 'byStep' | 'byModel', string]> = [['byTaskType', 'task type'], ['byStep', 'step'], ['byModel', 'model']];

export default async function Compare({ searchParams }: { searchParams: Promise<{ ids?: string | string[] }> }) {
  const raw = (await searchParams).ids;
  const ids = (Array.isArray(raw) ? raw : raw ? [raw] : []).filter(Boolean);
  if (!ids.length) return <><h2>Compare plans</h2><p className="empty">Select plans on the <Link href="/plans">plans page</Link>.</p></>;
  const res = await gql(ComparePlansDocument, { ids });
  if (!res.ok) return <><h2>Compare plans</h2><ApiErrors errors={res.errors} /></>;
  const profiles = res.data.comparePlans;
  const v = (p: Profile, m: string) => p.measures.find((x) => x.measure === m)?.value ?? null;
  return (
    <>
      <h2>Compare plans</h2>
      <section className="panel scroll" style={{ marginBottom: 16 }}>
        <table data-testid="compare">
          <thead><tr><th scope="col">Measure</th>{profiles.map((p) => <th key={p.planId} className="num" scope="col">{p.plan?.name ?? p.planId}<br /><span className="muted">{p.planId} · {p.plan?.status}</span></th>)}</tr></thead>
          <tbody>{MEASURES.map((m) => (
            <tr key={m}><th scope="row">{m.replaceAll('_', ' ')}</th>{profiles.map((p) => <td key={p.planId} className="num" data-value={v(p, m) ?? ''}>{formatMeasure(m, v(p, m))}</td>)}</tr>
          ))}</tbody>
        </table>
      </section>
      <div className="grid">
        {SPLITS.map(([key, label]) => (
          <section className="panel" key={key}>
            <h3>Cost by {label}</h3>
            <table><thead><tr><th scope="col">{label}</th>{profiles.map((p) => <th key={p.planId} className="num" scope="col">{p.planId}</th>)}</tr></thead>
              <tbody>{[...new Set(profiles.flatMap((p) => p[key].map((s) => s.value)))].map((value) => (
                <tr key={String(value)}><td>{value ?? '(none)'}</td>{profiles.map((p) => {
                  const s = p[key].find((x) => x.value === value);
                  return <td key={p.planId} className="num">{s ? `${formatMeasure('total_cost', s.measures.find((x) => x.measure === 'total_cost')?.value)} (${formatPercent(s.share, 0)})` : '—'}</td>;
                })}</tr>
              ))}</tbody></table>
          </section>
        ))}
      </div>
      <p><Link href="/plans">← Plans</Link></p>
    </>
  );
}
