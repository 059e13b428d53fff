// The demo's provider bills (issue 17), so the reconciliation is alive on first start: per
// complete UTC day × provider × model, what the demo's own events were tracked at (read back
// from the API), with a plausible variance — a few percent over on some days, and charges no
// event explains (embeddings, fine-tuning) on others — imported as one FOCUS file through the
// real import path (POST /v1/bills/focus). Deterministic: the same events give the same bill,
// and re-importing replaces the days it covers. The events' own figures are untouched.
import { Decimal } from 'decimal.js';

const DAY_MS = 86_400_000;
/** Providers that send a bill, as FOCUS names them; the demo's self-hosted model has none. */
const BILLING_NAMES: Record<string, string> = { openai: 'OpenAI', anthropic: 'Anthropic', google: 'Google Cloud' };

interface Tracked { day: string; provider: string; model: string; cost: string }
interface Line { day: string; provider: string; model: string | null; description: string; amount: string }

/** A number in [0, 1) fixed by its text (FNV-1a), so a day's variance never changes between runs. */
export function unit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h / 4294967296;
}

/** The complete UTC days of a demo period ending at `end` (a bill covers whole days only). */
export function billedDays(days: number, end: Date): { from: string; to: string } | undefined {
  const first = Math.ceil((end.getTime() - days * DAY_MS) / DAY_MS) * DAY_MS;
  const last = Math.floor(end.getTime() / DAY_MS) * DAY_MS - DAY_MS;
  if (last < first) return undefined;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: iso(first), to: iso(last) };
}

async function trackedCosts(apiUrl: string, key: string, from: string, to: string): Promise<Tracked[]> {
  const query = `query ($from: String, $to: String) { timeseries(measures: ["total_cost"], granularity: day, by: ["provider", "model"],
    timeRange: { from: $from, to: $to }, timezone: "UTC") { series { key { value } points { time measures { value } } } } }`;
  const res = await fetch(`${apiUrl}/graphql`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: { from, to: `${to}T23:59:59.999` } }),
  });
  const body = await res.json() as { data?: { timeseries: { series: Array<{ key: Array<{ value: string | null }>; points: Array<{ time: string; measures: Array<{ value: string | null }> }> }> } }; errors?: unknown };
  if (!res.ok || !body.data) throw new Error(`the demo's tracked costs: ${res.status} ${JSON.stringify(body.errors)}`);
  return body.data.timeseries.series.flatMap(({ key: [provider, model], points }) => points.map((p) => ({
    day: p.time.slice(0, 10), provider: provider!.value ?? '', model: model!.value ?? '', cost: p.measures[0]!.value ?? '0',
  }))).filter((t) => t.provider in BILLING_NAMES && t.model && new Decimal(t.cost).gt(0));
}

/** What the provider charged for a tracked day and model: exact on most days, 2–5 % over on some. */
function billedLine(t: Tracked): Line {
  const u = unit(`${t.day}:${t.provider}`);
  const over = u < 0.25 ? new Decimal(2 + Math.floor(u * 12)).div(100) : new Decimal(0);
  const amount = new Decimal(t.cost).times(over.plus(1)).toDecimalPlaces(6);
  return { day: t.day, provider: t.provider, model: t.model, description: `${t.model} usage`, amount: amount.toFixed() };
}

/** Charges no event explains: OpenAI embeddings most weekdays (1.5–3 %), a fine-tuning run now and then (8–16 %). */
function unattributedLines(day: string, openai: Decimal): Line[] {
  const lines: Line[] = [];
  const u = unit(`${day}:unattributed`);
  const weekday = ![0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
  if (weekday && u < 0.7) lines.push({ day, provider: 'openai', model: null, description: 'Embeddings (text-embedding-3-small)', amount: openai.times(0.015 + u / 50).toDecimalPlaces(6).toFixed() });
  if (u > 0.92) lines.push({ day, provider: 'openai', model: null, description: 'Fine-tuning training (gpt-4o-mini)', amount: openai.times(u - 0.84).toDecimalPlaces(2).toFixed(2) });
  return lines;
}

function focusCsv(lines: Line[]): string {
  const header = 'ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency,ServiceProviderName,x_Model,ChargeDescription';
  const next = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString();
  return [header, ...lines.map((l) => [`${l.day}T00:00:00.000Z`, next(l.day), l.amount, 'USD', BILLING_NAMES[l.provider], l.model ?? '', l.description].join(','))].join('\n');
}

/** Builds the demo's bill for the complete days of its period and imports it; returns the import's line count (0 when no day is complete). */
export async function importDemoBills(apiUrl: string, key: string, { days, end }: { days: number; end: Date }): Promise<number> {
  const period = billedDays(days, end);
  if (!period) return 0;
  const tracked = await trackedCosts(apiUrl, key, period.from, period.to);
  const lines = tracked.map(billedLine);
  for (const day of [...new Set(tracked.map((t) => t.day))].sort()) {
    const openai = tracked.filter((t) => t.day === day && t.provider === 'openai').reduce((s, t) => s.plus(t.cost), new Decimal(0));
    lines.push(...unattributedLines(day, openai));
  }
  if (!lines.length) return 0;
  const res = await fetch(`${apiUrl}/v1/bills/focus`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, body: focusCsv(lines),
  });
  if (res.status !== 201) throw new Error(`POST /v1/bills/focus answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { import: { lines: number } }).import.lines;
}
