// ccusage's JSON reports (`ccusage daily|weekly|monthly|session --json`): aggregates, not calls.
// Each row's modelBreakdowns entry (one period × one model) becomes one event, tagged
// `aggregate: ccusage-<report>` so it is never mistaken for a call: its tokens and ccusage's cost
// for them (kept as the supplied cost), at noon UTC of the period's first day (ccusage groups by
// local day; noon keeps the day in every time zone from −11 to +11), or at a session's last
// activity. Ids come from report, period, agent and model: re-importing a report stores nothing
// twice, a later report of the same period with more usage is refused (the first stored wins), and
// importing a daily AND a monthly report of the same usage counts it twice (ADR 0025).
import { type UsageEventInput, uuidV5 } from '@spendgraph/schema';
import { type Outcome, type RawRecord, count, list, money, object, providerOf, text } from './fields.ts';

export const CCUSAGE_REPORTS = ['daily', 'weekly', 'monthly', 'session'] as const;
const AGENT_PROVIDERS: Record<string, string> = { claude: 'anthropic', codex: 'openai', gemini: 'google', opencode: 'anthropic', amp: 'anthropic' };

export const ccusageReport = (r: RawRecord) => CCUSAGE_REPORTS.find((k) => Array.isArray(r[k]));

/** A row's period: ccusage 20 writes `period`; earlier versions `date`, `week`, `month`, `sessionId`. */
function periodOf(row: RawRecord): string | undefined {
  return text(row.period) ?? text(row.date) ?? text(row.week) ?? text(row.month) ?? text(row.sessionId);
}

function instantOf(report: string, period: string, row: RawRecord): string | undefined {
  const last = text(object(row.metadata)?.lastActivity) ?? text(row.lastActivity);
  const day = report === 'session' ? last : /^\d{4}-\d\d$/.test(period) ? `${period}-01T12:00:00Z` : /^\d{4}-\d\d-\d\d$/.test(period) ? `${period}T12:00:00Z` : undefined;
  const t = day ? new Date(day) : undefined;
  return t && !Number.isNaN(t.getTime()) ? t.toISOString() : undefined;
}

function breakdownOutcome(report: string, row: RawRecord, b: RawRecord, o: { provider?: string }): Outcome {
  const usage = {
    input_tokens: count(b.inputTokens), output_tokens: count(b.outputTokens), cache_read_tokens: count(b.cacheReadTokens),
    cache_write_5m_tokens: count(b.cacheCreationTokens), convention: 'disjoint' as const,
  };
  const cost = money(b.cost);
  const file = { fileTokens: usage.input_tokens + usage.output_tokens + usage.cache_read_tokens + usage.cache_write_5m_tokens, fileCost: cost ?? '0' };
  const period = periodOf(row);
  const model = text(b.modelName);
  if (!period || !model) return { skip: 'a row without period or model', ...file };
  const at = instantOf(report, period, row);
  if (!at) return { skip: `period '${period}' is not a date`, ...file };
  const agent = text(row.agent) ?? 'all';
  const provider = providerOf(undefined, model) ?? AGENT_PROVIDERS[agent] ?? o.provider;
  if (!provider) return { skip: 'provider unknown (give --provider)', ...file };
  const event = {
    id: uuidV5(`ccusage:${report}:${agent}:${period}:${model}`),
    occurred_at: at, provider, model, usage,
    ...(cost ? { cost } : {}),
    source: 'ccusage',
    ...(report === 'session' ? { session_id: period.slice(0, 200) } : {}),
    tags: { aggregate: `ccusage-${report}`, imported: 'ccusage', ...(cost ? { cost_source: 'ccusage' } : {}), ...(agent !== 'all' ? { ccusage_agent: agent } : {}), period },
  };
  return { event: event as UsageEventInput, ...file };
}

/** One event per period × model of a report. */
export function ccusageRecords(r: RawRecord, o: { provider?: string }): Outcome[] {
  const report = ccusageReport(r);
  if (!report) return [{ skip: 'not a ccusage daily, weekly, monthly or session report (blocks reports are not imported)', fileTokens: 0, fileCost: '0' }];
  // `--sections daily,monthly` writes several reports of the same usage: the first is imported, the others would count it again.
  const others: Outcome[] = CCUSAGE_REPORTS.filter((k) => k !== report && Array.isArray(r[k]))
    .map((k) => ({ skip: `section '${k}' not imported (the '${report}' section holds the same usage)`, fileTokens: 0, fileCost: '0' }));
  return [...list(r[report]).flatMap((row) => list((row as RawRecord).modelBreakdowns).map((b) => breakdownOutcome(report, row as RawRecord, b as RawRecord, o))), ...others];
}

/** The report's own totals (its `totals` object). */
export function ccusageTotals(r: RawRecord): { tokens: number; cost: string } | undefined {
  const t = object(r.totals);
  if (!t) return undefined;
  const tokens = count(t.totalTokens) || count(t.inputTokens) + count(t.outputTokens) + count(t.cacheReadTokens) + count(t.cacheCreationTokens);
  return { tokens, cost: money(t.totalCost) ?? '0' };
}
