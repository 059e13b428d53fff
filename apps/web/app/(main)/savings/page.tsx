// Savings (issue 17): the API's ranked recommendations with their evidence, and a what-if for any
// workflow step (another model, tier, cache hit ratio or a smaller context). Figures are the API's
// (Query.savingsRecommendations, Query.whatIf); each carries its exact decimal string in data-value.
// Estimates only: nothing here changes anything.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { RangePicker } from '@/components/RangePicker';
import { gql } from '@/lib/api';
import { formatMoney } from '@/lib/format';
import { RANGES } from '@/lib/query-state';
import { type FilterOperator, SavingsRecommendationsDocument, type SavingsRecommendationsQuery, WhatIfDocument, type WhatIfQuery } from '@/lib/graphql/operations';

const FIELDS = ['workflow', 'step', 'from', 'model', 'serviceTier', 'cacheHitRatio', 'contextReduction'] as const;
type Params = Partial<Record<(typeof FIELDS)[number] | 'days' | 'range', string>>;
// `from` here is the what-if's observed model, so the period is a preset only (`range=`; the former `days=N` still reads).
type Rec = SavingsRecommendationsQuery['savingsRecommendations'][number];
type WhatIf = WhatIfQuery['whatIf'];

const KIND_LABELS: Record<string, string> = { cheaper_model: 'Cheaper model', cache: 'Caching', context: 'Context size' };

/** The what-if a recommendation came from, as this page's query string. */
function whatIfLink(r: Rec, range: string): string {
  const value = (member: string) => r.filters.find((f) => f.member === member && f.operator === 'equals')?.values[0];
  const q = new URLSearchParams({ range });
  for (const [k, v] of [['workflow', value('workflow')], ['step', value('step')], ['from', value('model')], ...Object.entries(r.scenario)] as Array<[string, unknown]>) {
    if (k !== 'provider' && k !== '__typename' && typeof v === 'string') q.set(k, v);
  }
  return `/savings?${q}#what-if`;
}

function Recommendations({ recs, range }: { recs: Rec[]; range: string }) {
  if (!recs.length) return <p className="empty">No opportunity stands out in this period.</p>;
  return (
    <table data-testid="savings-recommendations">
      <thead><tr><th>Opportunity</th><th>Kind</th><th className="num">Est. monthly saving</th><th>Evidence</th><th /></tr></thead>
      <tbody>{recs.map((r) => (
        <tr key={r.title} data-kind={r.kind}>
          <td>{r.title}</td>
          <td>{KIND_LABELS[r.kind] ?? r.kind}</td>
          <td className="num" data-value={r.monthlySaving}>{formatMoney(r.monthlySaving)}</td>
          <td><ul className="muted" style={{ margin: 0, paddingLeft: 16 }}>{r.evidence.map((e) => <li key={e.label}>{e.label}: {e.value}</li>)}</ul></td>
          <td><Link href={whatIfLink(r, range)}>What-if</Link></td>
        </tr>
      ))}</tbody>
    </table>
  );
}

function Figure({ label, value, raw, testId }: { label: string; value: string; raw: string | null | undefined; testId: string }) {
  return <div className="panel kpi" data-testid={testId} data-value={raw ?? ''}><div className="label">{label}</div><div className="value">{value}</div></div>;
}

function WhatIfResult({ w }: { w: WhatIf }) {
  return (
    <>
      <div className="kpis">
        <Figure testId="whatif-baseline" label="Now (list prices)" value={formatMoney(w.baselineCost)} raw={w.baselineCost} />
        <Figure testId="whatif-scenario" label="Under the scenario" value={formatMoney(w.scenarioCost)} raw={w.scenarioCost} />
        <Figure testId="whatif-saving" label={`Saving over ${Number(w.days).toFixed(1)} days`} value={formatMoney(w.saving)} raw={w.saving} />
        <Figure testId="whatif-monthly" label="Est. monthly saving" value={formatMoney(w.monthlySaving)} raw={w.monthlySaving} />
      </div>
      <table data-testid="whatif-groups">
        <thead><tr><th>Model</th><th className="num">Calls</th><th>Repriced as</th><th className="num">Now</th><th className="num">Scenario</th><th className="num">Saving</th></tr></thead>
        <tbody>{w.groups.map((g) => (
          <tr key={`${g.provider}/${g.model}`} data-model={g.model}>
            <td>{g.model}</td><td className="num">{g.calls}</td><td>{g.target.model}{g.target.serviceTier ? ` (${g.target.serviceTier})` : ''}</td>
            <td className="num" data-value={g.baselineCost ?? ''}>{formatMoney(g.baselineCost)}</td>
            <td className="num" data-value={g.scenarioCost ?? ''}>{formatMoney(g.scenarioCost)}</td>
            <td className="num" data-value={g.saving ?? ''}>{formatMoney(g.saving)}</td>
          </tr>
        ))}</tbody>
      </table>
      <h4>Assumptions</h4>
      <ul data-testid="whatif-assumptions" className="muted">{w.assumptions.map((a) => <li key={a}>{a}</li>)}</ul>
    </>
  );
}

function WhatIfForm({ params, range }: { params: Params; range: string }) {
  const field = (name: (typeof FIELDS)[number], label: string, placeholder: string) => (
    <label>{label}<input name={name} defaultValue={params[name]} placeholder={placeholder} /></label>
  );
  return (
    <form className="toolbar" aria-label="What-if" style={{ flexWrap: 'wrap' }}>
      <input type="hidden" name="range" value={range} />
      {field('workflow', 'Workflow', 'e.g. plan-execute')}
      {field('step', 'Step', 'e.g. review')}
      {field('from', 'Observed model', 'all models')}
      {field('model', 'Reprice as model', 'e.g. claude-haiku-4-5')}
      <label>Tier<select name="serviceTier" defaultValue={params.serviceTier ?? ''}>
        <option value="">as observed</option>{['standard', 'batch', 'flex', 'priority'].map((t) => <option key={t} value={t}>{t}</option>)}
      </select></label>
      {field('cacheHitRatio', 'Cache hit ratio', '0 to 1, e.g. 0.8')}
      {field('contextReduction', 'Context smaller by', '0 to 1, e.g. 0.25')}
      <button type="submit">Estimate</button>
    </form>
  );
}

/** The what-if the query string asks for, if it changes anything. */
function whatIfVariables(params: Params, range: { relative: string }) {
  const filters = [['workflow', params.workflow], ['step', params.step], ['model', params.from]]
    .filter(([, v]) => v).map(([member, v]) => ({ member: member!, operator: 'equals' as FilterOperator, values: [v!] }));
  const scenario = Object.fromEntries((['model', 'serviceTier', 'cacheHitRatio', 'contextReduction'] as const).filter((k) => params[k]).map((k) => [k, params[k]]));
  return Object.keys(scenario).length ? { range, filters, scenario } : undefined;
}

export default async function Savings({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  const days = [7, 30, 90].includes(Number(params.days)) ? `last ${params.days} days` : undefined;
  const name = RANGES.find((r) => r === params.range) ?? days ?? 'last 30 days';
  const range = { relative: name };
  // The picker's links keep the what-if's scenario (not its observed model: `from` is a range's date to the picker).
  const keep = Object.fromEntries(FIELDS.filter((k) => k !== 'from' && params[k]).map((k) => [k, params[k]!]));
  const asked = whatIfVariables(params, range);
  const [recs, whatIf] = await Promise.all([
    gql(SavingsRecommendationsDocument, { range }),
    asked ? gql(WhatIfDocument, asked) : Promise.resolve(undefined),
  ]);
  return (
    <>
      <div className="toolbar" style={{ justifyContent: 'space-between' }}>
        <h2>Savings</h2>
      </div>
      <RangePicker path="/savings" range={range} custom={false} extra={keep} />
      <p className="muted">Estimates from the observed token mix at today&apos;s list prices. Nothing is changed automatically.</p>
      <section className="panel" style={{ marginBottom: 16 }}>
        <h3>Largest opportunities</h3>
        {recs.ok ? <Recommendations recs={recs.data.savingsRecommendations} range={name} /> : <ApiErrors errors={recs.errors} />}
      </section>
      <section className="panel" id="what-if" data-testid="what-if">
        <h3>What if…</h3>
        <WhatIfForm params={params} range={name} />
        {whatIf && (whatIf.ok ? <WhatIfResult w={whatIf.data.whatIf} /> : <ApiErrors errors={whatIf.errors} />)}
      </section>
    </>
  );
}
