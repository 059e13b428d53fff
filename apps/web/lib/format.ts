// The one module for how figures read: money (the API's exact decimal strings, formatted as
// decimals by Intl.NumberFormat, never through a float), counts, milliseconds, percentages,
// changes and times. Every page formats through it, so the same figure reads the same everywhere.
type Value = string | number | null | undefined;
type Decimal = `${number}` | number; // Intl.NumberFormat formats a decimal string exactly

/**
 * Money is shown in the workspace's reporting currency, the one every figure of the API is in
 * (docs/decisions/0023-currencies.md). On the server it is the request's: lib/api.ts learns it
 * with the request's first GraphQL answer (so any figure a page formats after awaiting its data
 * has it) and is its source here; client components are given it as a prop. USD otherwise.
 */
let currencySource: () => string = () => 'USD';

/** Where the display currency comes from (lib/api.ts: the request's). */
export function setCurrencySource(source: () => string) {
  currencySource = source;
}

/** The display currency: on the server, the request's workspace's reporting currency. */
export function displayCurrency(): string {
  return currencySource();
}

const formats = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string, min: number, max: number): Intl.NumberFormat {
  const key = `${currency}|${min}|${max}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: min, maximumFractionDigits: max })));
  return f;
}
/** Totals: cents. */
const money = (currency: string) => moneyFormat(currency, 2, 2);
/** A total under a cent (a few cheap calls): its first significant digits, up to 6 decimals. */
const cents = (currency: string) => moneyFormat(currency, 2, 6);
/** A total under a millionth: its first two significant digits. */
const tiny = (currency: string) => {
  const key = `${currency}|tiny`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumSignificantDigits: 2 })));
  return f;
};
/** One call's cost: always 6 decimals, so a column of calls lines up and compares digit by digit. */
const unitMoney = (currency: string) => moneyFormat(currency, 6, 6);
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const percent = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const missing = (v: Value): v is null | undefined | '' => v === null || v === undefined || v === '';
/** A string the API sent as a decimal, or a number, as Intl takes it (strings stay exact). */
const decimal = (v: string | number) => (typeof v === 'number' ? v : (v.trim() as Decimal));
/** `0.00x` (non-zero, under one cent), read from the decimal text without a float. */
function underACent(v: string | number): boolean {
  if (typeof v === 'number') return v !== 0 && Math.abs(v) < 0.01;
  const [whole = '', frac = ''] = v.trim().replace(/^[-+]/, '').split('.');
  return /^0*$/.test(whole) && /^0{0,2}$/.test(frac.slice(0, 2)) && /[1-9]/.test(frac);
}

export function isMoney(member: string) {
  return /cost|spend|amount/.test(member) && !/per_dollar/.test(member);
}

/** Per-call figures (an average call, one event): 6 decimals. */
export function isUnitMoney(member: string) {
  return /(^|_)(avg_cost|cost_per_call)/.test(member);
}

/** A total: 2 decimals (a non-zero total under a cent keeps its digits rather than read $0.00). */
export function formatMoney(v: Value, currency = displayCurrency()) {
  if (missing(v)) return '—';
  if (!underACent(v)) return money(currency).format(decimal(v));
  // Under a millionth (a bill's rounding against tracked cost) six decimals read -$0.00: its first digits instead.
  const shown = cents(currency).format(decimal(v));
  return /[1-9]/.test(shown) ? shown : tiny(currency).format(decimal(v));
}

/** One call's cost (or an average per call): 6 decimals, the same in every row. */
export function formatUnitMoney(v: Value, currency = displayCurrency()) {
  return missing(v) ? '—' : unitMoney(currency).format(decimal(v));
}

export function formatCount(v: Value) {
  return missing(v) ? '—' : count.format(decimal(v));
}

/** Latency: `6,291 ms`. */
export function formatMs(v: Value) {
  return missing(v) ? '—' : `${count.format(decimal(v))} ms`;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A measure's value by its name: money, percent (rates), counts, times, or plain numbers. */
export function formatMeasure(member: string, v: Value, currency = displayCurrency()) {
  if (missing(v)) return '—';
  if (typeof v === 'string' && ISO_TIME.test(v)) return formatTime(v); // time measures (`last_event_at`)
  if (isUnitMoney(member)) return formatUnitMoney(v, currency);
  if (isMoney(member)) return formatMoney(v, currency);
  if (/rate$/.test(member)) return `${percent(2).format(decimal(v))}%`; // the model's rates are percentages (0-100)
  if (/^(calls|error_calls|unpriced_calls|unconverted_calls|priced_calls|distinct_|completed_tasks$)|tokens$/.test(member)) return formatCount(v);
  if (/_ms$|latency/.test(member)) return formatMs(v);
  return number.format(decimal(v));
}

/** A share (0-1) as a percentage. */
export function formatPercent(share: number | null | undefined, digits = 1) {
  return share === null || share === undefined ? '' : `${percent(digits).format(share * 100)}%`;
}

/**
 * Below this share of the current period's calls, the previous period is not comparable (the
 * workspace had barely started): a percentage change against it says nothing.
 */
export const COMPARABLE_SHARE = 0.1;

export interface Change { text: string; comparable: boolean; why?: string }

/**
 * Change of a figure against the previous period. `activity` (e.g. calls now and before) says
 * whether the previous period had enough data to compare with; without it, any non-zero previous counts.
 */
export function describeChange(current: Value, previous: Value, activity?: { current: Value; previous: Value }): Change {
  const [c, p] = [Number(current ?? 0), Number(previous ?? 0)];
  const [ac, ap] = activity ? [Number(activity.current ?? 0), Number(activity.previous ?? 0)] : [1, 1];
  if (!p || (activity && ap < ac * COMPARABLE_SHARE)) {
    if (!c && !p) return { text: '—', comparable: false };
    return {
      text: 'no comparable previous period', comparable: false,
      why: `The previous period has ${formatCount(ap)} calls against ${formatCount(ac)} now (under ${COMPARABLE_SHARE * 100}%): a percentage change against it would say nothing.`,
    };
  }
  const pct = ((c - p) / p) * 100; // a ratio for display, not a sum of money
  return { text: `${pct >= 0 ? '+' : ''}${percent(1).format(pct)}%`, comparable: true };
}

export function formatChange(current: Value, previous: Value) {
  const p = Number(previous ?? 0);
  if (!p) return Number(current ?? 0) ? 'new' : '—';
  return describeChange(current, previous).text;
}

export function formatTime(iso: string | null | undefined) {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z?$|Z$/, '').slice(0, 19);
}

/** The free-tags dimension's JSON object as `key=value` pairs (one tag set, not a blob of JSON). */
export function formatTags(json: string | null | undefined): string {
  if (!json) return '(no tags)';
  try {
    const tags = JSON.parse(json) as Record<string, unknown>;
    const pairs = Object.entries(tags).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return pairs.length ? pairs.join(' · ') : '(no tags)';
  } catch {
    return json;
  }
}
