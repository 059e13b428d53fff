// A developer's own view: my cost this week (or last), by repository and work item, by agent and
// machine, and my latest coding sessions: the calls whose user_id is one of mine (Me.developerIds).
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { RangePicker } from '@/components/RangePicker';
import { VsPrevious } from '@/components/VsPrevious';
import { SegmentTable } from '@/components/SegmentTable';
import { gql } from '@/lib/api';
import { axisHref } from '@/lib/axes';
import { valueOf } from '@/lib/breakdown';
import { describeChange, formatMeasure, formatTime } from '@/lib/format';
import { MyCostDocument } from '@/lib/graphql/operations';
import { getMe } from '@/lib/me';
import { type SearchParams, parseCompare, parseRange, previousRange, rangeName } from '@/lib/query-state';
import { DeveloperIdsForm } from './DeveloperIdsForm';

export default async function MyCost({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  const range = parseRange(query, 'this week');
  const comparing = parseCompare(query);
  const me = await getMe();
  const heading = <h2>My cost <span className="muted" style={{ fontSize: 13, fontWeight: 400 }}>{rangeName(range)}</span></h2>;
  if (!me?.person) return <>{heading}<p className="empty">Your own view is for a signed-in person: an API key has no calls of its own.</p></>;
  const f = [{ member: 'user_id', operator: 'equals' as const, values: me.developerIds }];
  const res = await gql(MyCostDocument, { f, r: range, prev: previousRange(range) });
  if (!res.ok) return <>{heading}<ApiErrors errors={res.errors} /></>;
  const d = res.data;
  const cost = valueOf(d.totals, 'total_cost');
  const activity = { current: valueOf(d.totals, 'calls'), previous: valueOf(d.previous, 'calls') };
  const change = describeChange(cost, valueOf(d.previous, 'total_cost'), activity);
  return (
    <>
      {heading}
      <RangePicker path="/me" range={range} compare={comparing} />
      <p className="muted" data-testid="developer-ids">Calls with user_id {me.developerIds.map((id) => <code key={id}>{id}</code>).reduce<React.ReactNode[]>((all, c, i) => (i ? [...all, ', ', c] : [c]), [])}
        {' '}(what <code>spendgraph collect --user</code> and the SDK's <code>user_id</code> record).</p>
      <div className="kpis">
        <div className="panel kpi" data-testid="my-cost" data-value={cost ?? ''}><div className="label">Cost</div><div className="value">{formatMeasure('total_cost', cost)}</div>
          {comparing ? <VsPrevious measure="total_cost" current={cost} previous={valueOf(d.previous, 'total_cost')} activity={activity} testId="my-cost-previous" />
            : <div className="sub">{change.text} vs previous period</div>}</div>
        <div className="panel kpi" data-testid="my-calls" data-value={valueOf(d.totals, 'calls') ?? ''}><div className="label">Calls</div><div className="value">{formatMeasure('calls', valueOf(d.totals, 'calls'))}</div>
          {comparing && <VsPrevious measure="calls" current={activity.current} previous={activity.previous} testId="my-calls-previous" />}</div>
      </div>
      <div className="grid">
        <SegmentTable testId="my-repositories" title="Repositories" node={d.repositories} cost="work_item_total_cost" />
        <SegmentTable testId="my-work-items" title="Work items" node={d.workItems} cost="work_item_total_cost" href={(v) => axisHref('work-items', v)} />
        <SegmentTable testId="my-agents" title="Agents" node={d.agents} href={(v) => axisHref('agents', v)} />
        <SegmentTable testId="my-machines" title="Machines" node={d.machines} />
      </div>
      <section className="panel" data-testid="my-sessions" style={{ marginTop: 16 }}>
        <h3>Latest sessions</h3>
        {d.sessions.children.length === 0 ? <p className="empty">No session in this period.</p> : (
          <table>
            <thead><tr><th scope="col">Session</th><th scope="col">Last call</th><th className="num" scope="col">Cost</th><th className="num" scope="col">Calls</th></tr></thead>
            <tbody>{d.sessions.children.filter((s) => s.value !== null && !s.other).map((s) => (
              <tr key={s.value}><td><Link href={axisHref('sessions', s.value!)}>{s.label}</Link></td><td>{formatTime(valueOf(s, 'last_event_at'))}</td>
                <td className="num" data-value={valueOf(s, 'total_cost') ?? ''}>{formatMeasure('total_cost', valueOf(s, 'total_cost'))}</td><td className="num">{formatMeasure('calls', valueOf(s, 'calls'))}</td></tr>
            ))}</tbody>
          </table>
        )}
      </section>
      <DeveloperIdsForm ids={me.developerIds} />
    </>
  );
}
