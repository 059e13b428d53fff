// Seeded random questions, each for one surface: measures (sums, averages, rates,
// percentiles, distinct counts), 0-3 dimensions, filters, a relative or absolute range
// (or none) in a time zone (DST-changing ones included), a granularity, or a budget.
import type { Random } from './random.ts';
import { VOCAB } from './events.ts';

export const SURFACES = ['graphql-breakdown', 'graphql-timeseries', 'rest-breakdown', 'rest-timeseries', 'embed-breakdown', 'embed-timeseries', 'budget'] as const;
export type Surface = (typeof SURFACES)[number];

export interface Filter { member: string; operator: string; values?: string[] }
export type Range = { relative: string } | { from: string; to?: string } | null;

export interface Question {
  id: number;
  surface: Surface;
  measures: string[];
  by: string[];
  filters: Filter[];
  range: Range;
  timezone: string;
  granularity?: 'hour' | 'day' | 'week' | 'month';
  budget?: { period: 'daily' | 'weekly' | 'monthly' | 'rolling' | 'lifetime'; rollingDays?: number; scope: Filter[] };
}

export const MEASURES = [
  'total_cost', 'calls', 'input_tokens', 'total_tokens', 'error_calls', 'unpriced_calls',
  'avg_cost_per_call', 'avg_latency_ms', 'error_rate', 'cost_per_1k_tokens',
  'p95_latency_ms', 'distinct_sessions', 'distinct_users', 'distinct_tasks',
] as const;

export const DIMENSIONS = [
  'provider', 'model', 'status', 'kind', 'unpriced', 'plan_id', 'task_id', 'task_type', 'workflow', 'step', 'agent',
  'user_id', 'customer_id', 'feature', 'space', 'work_item', 'source',
] as const;

/** Zones with a DST change inside the data (Oct 4 Sydney, Oct 25 Europe, Nov 1 America) and some without. */
export const TIMEZONES = ['UTC', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Tokyo', 'Asia/Kolkata'];

const RELATIVE = ['today', 'yesterday', 'this week', 'this month', 'last week', 'last month', 'last 7 days', 'last 30 days', 'last 45 days', 'last 2 weeks', 'last 2 months'];
/** The 2026 DST changes of the zones above (local day and time): range bounds within hours of them. */
const DST_CHANGES: Record<string, string> = {
  'America/New_York': '2026-11-01T02:00', 'America/Los_Angeles': '2026-11-01T02:00', 'Europe/Berlin': '2026-10-25T03:00', 'Australia/Sydney': '2026-10-04T02:00',
};

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function filterOn(r: Random, member: string): Filter {
  const vocab = member === 'model' ? ['claude-sonnet-4-5', 'gpt-4o', 'o3', 'mystery-model-9'] : member === 'unpriced' ? ['true', 'false'] : [...((VOCAB as Record<string, readonly string[]>)[member] ?? ['x'])];
  const text = member !== 'unpriced'; // a boolean takes equals/notEquals/set/notSet only
  const op = r.pick(['equals', 'equals', 'equals', 'notEquals', 'set', 'notSet', ...(text ? ['contains', 'startsWith'] : [])]);
  if (op === 'set' || op === 'notSet') return { member, operator: op };
  if (op === 'contains' || op === 'startsWith') {
    const v = r.pick(vocab);
    return { member, operator: op, values: [op === 'contains' ? v.slice(1, 3) : v.slice(0, 2)] };
  }
  return { member, operator: op, values: r.sample(vocab, r.int(1, 2)) };
}

const FILTERABLE = DIMENSIONS.filter((d) => d !== 'task_id' && d !== 'kind');

function range(r: Random, now: number, zone: string): Range {
  const x = r.next();
  if (x < 0.12) return null;
  if (x < 0.6) return { relative: r.pick(RELATIVE) };
  const DAY = 86_400_000;
  const form = r.int(0, 3);
  const change = DST_CHANGES[zone];
  if (form === 0) {
    // Whole local days, often starting or ending on the zone's DST change.
    const dst = change && r.chance(0.5) ? Date.parse(change.slice(0, 10)) + r.int(-1, 1) * DAY : undefined;
    const from = day(dst ?? now - r.int(1, 60) * DAY);
    const to = day(Date.parse(from) + r.int(0, 12) * DAY);
    return r.chance(0.5) || !dst ? { from, to } : { from: day(dst - r.int(1, 5) * DAY), to: from };
  }
  if (form === 1 && change && r.chance(0.5)) {
    // Local times within hours of the change, on either side, never in the skipped or repeated hour (their meaning is a choice).
    const at = Date.parse(`${change}:00.000Z`) + (r.chance(0.5) ? -1 : 1) * r.int(2, 6) * 3_600_000 + r.int(0, 3_599_999);
    const local = new Date(at).toISOString().slice(0, 23);
    return r.chance(0.5) ? { from: local, to: day(at + 2 * DAY) } : { from: day(at - 2 * DAY), to: local };
  }
  if (form === 1) {
    // Local times off the day boundaries (no offset: the query's time zone).
    const a = now - r.int(0, 50 * DAY);
    const b = Math.min(a + r.int(1, 10 * DAY), now + DAY);
    const local = (ms: number) => { const d = new Date(ms); return `${day(ms)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`; };
    return { from: local(a), to: local(b) };
  }
  if (form === 2) {
    // UTC instants: an explicit offset names the instant whatever the query's time zone.
    const a = now - r.int(0, 50 * DAY);
    return { from: new Date(a).toISOString(), to: new Date(Math.min(a + r.int(1, 10 * DAY), now + DAY)).toISOString() };
  }
  return { from: day(now - r.int(1, 40) * DAY) }; // open end: up to now
}

export function question(r: Random, id: number, now: number, surfaces: readonly Surface[]): Question {
  const surface = r.pick(surfaces);
  const timezone = r.pick(TIMEZONES);
  const filters = r.sample(FILTERABLE, r.pick([0, 0, 1, 1, 2])).map((m) => filterOn(r, m));
  if (surface === 'budget') {
    const period = r.pick(['daily', 'weekly', 'monthly', 'rolling', 'lifetime'] as const);
    const scope = r.chance(0.3) ? [] : r.sample(['user_id', 'plan_id', 'model', 'agent', 'feature'], r.int(1, 2)).map((member) => ({
      member, operator: r.chance(0.8) ? 'equals' : 'notEquals', values: r.sample(member === 'model' ? ['claude-sonnet-4-5', 'gpt-4o', 'o3'] : [...(VOCAB as Record<string, readonly string[]>)[member]!], r.int(1, 2)),
    }));
    return { id, surface, measures: ['total_cost'], by: [], filters: [], range: null, timezone, budget: { period, scope, ...(period === 'rolling' ? { rollingDays: r.int(1, 30) } : {}) } };
  }
  const measures = r.sample(MEASURES, r.int(1, 4));
  if (r.chance(0.6) && !measures.includes('total_cost')) measures.unshift('total_cost');
  const series = surface.endsWith('timeseries');
  const by = r.sample(DIMENSIONS, series ? r.pick([0, 0, 1]) : r.pick([0, 1, 1, 2, 2, 3]));
  const q: Question = { id, surface, measures, by, filters, range: range(r, now, timezone), timezone };
  if (series) q.granularity = r.pick(['day', 'day', 'week', 'month', 'hour']);
  if (q.granularity === 'hour') q.range = { relative: r.pick(['today', 'yesterday']) };
  return q;
}
