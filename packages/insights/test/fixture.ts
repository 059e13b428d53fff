// A workspace's day of sessions, sent through the real ingest API. On 2026-10-10
// (UTC) agent `coder` runs 12 bugfix sessions: 8 normal ones (USD 1.00, the last
// USD 1.90: under 2x the median) and 4 costing USD 3.00 (3x the median of 1.00),
// each for another reason:
//   opus-1  the same calls on claude-opus-4-1 (an expensive model)
//   ctx-1   15,000 prompt tokens per call instead of 4,000
//   sub-1   2 of its 5 calls made by a subagent (explorer)
//   err-1   6 calls, 4 of them failed
// Each session works on its own task T-<session> (task type bugfix), so the four
// tasks are anomalies too. Three more days give the report its comparisons:
// Oct 9 (openai USD 2.00), Oct 4 (google USD 4.00, shared by WI-7 and WI-8), Oct 2 (anthropic USD 10.00).
import { type Platform, ingestAndWait } from '@spendgraph/test-support/platform';

type Event = Record<string, unknown>;
const SONNET = { provider: 'anthropic', model: 'claude-sonnet-4-5' };
const OPUS = { provider: 'anthropic', model: 'claude-opus-4-1' };
const usage = (input: number, cacheRead: number) => ({ input_tokens: input, cache_read_tokens: cacheRead, output_tokens: 200 });

let minute = 0;
/** Calls of one session, a minute apart (sessions in order of the list). */
function session(id: string, calls: Array<Partial<Event> & { cost: string }>, extra: Event = {}): Event[] {
  return calls.map((c) => ({
    ...SONNET, usage: usage(1000, 3000), agent: 'coder', session_id: id, task_id: `T-${id}`, task_type: 'bugfix',
    occurred_at: new Date(Date.UTC(2026, 9, 10, 8, minute++)).toISOString(), ...extra, ...c,
  }));
}

const times = <T>(n: number, x: T) => Array.from({ length: n }, () => x);

export function dayOfSessions(): Event[] {
  minute = 0;
  const normal = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'].flatMap((id) => session(id, times(2, { cost: '0.5' }), id === 'n1' ? { plan_id: 'plan-B' } : {}));
  return [
    ...normal,
    ...session('n8', times(2, { cost: '0.95' })),
    ...session('opus-1', times(2, { ...OPUS, cost: '1.5' }), { plan_id: 'plan-A' }),
    ...session('ctx-1', times(2, { usage: usage(3750, 11250), cost: '1.5' }), { plan_id: 'plan-A' }), // the peers' cache hit rate (75 %)
    ...session('sub-1', [...times(3, { cost: '0.5' }), ...times(2, { agent: 'explorer', cost: '0.75' })], { work_item: 'WI-7' }),
    ...session('err-1', [...times(4, { status: 'error', cost: '0.5' }), ...times(2, { cost: '0.5' })], { work_item: 'WI-8' }),
  ];
}

export function otherDays(): Event[] {
  return [
    { provider: 'openai', model: 'gpt-4o', usage: { input_tokens: 1000, output_tokens: 100 }, cost: '2', session_id: 'old-1', work_item: 'WI-7', occurred_at: '2026-10-09T12:00:00Z' },
    // One call for two work items: USD 2.00 to each.
    { provider: 'google', model: 'gemini-2.5-pro', usage: { input_tokens: 1000, output_tokens: 100 }, cost: '4', session_id: 'g-1', work_items: ['WI-7', 'WI-8'], occurred_at: '2026-10-04T12:00:00Z' },
    { ...SONNET, usage: usage(1000, 0), cost: '10', session_id: 'prev-1', occurred_at: '2026-10-02T12:00:00Z' },
  ];
}

/** Sends events through the API and waits until the worker stored them. */
export function ingest(p: Platform, ws: { workspaceId: string; key: string }, events: Event[]) {
  return ingestAndWait(p, ws, events as unknown as Array<Record<string, unknown>>);
}
