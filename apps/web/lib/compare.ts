// Period over period: a figure beside the previous period's, the change as an amount (exact, on the
// API's decimal strings) and as a percentage (lib/format's describeChange: no percentage against a
// previous period without comparable data). Every page's "compare to previous period" reads through it.
import { type Change, describeChange, formatMeasure } from './format';

type Value = string | null | undefined;

/** `[digits, scale]` of a plain decimal string (`-12.50` -> [-1250n, 2]); null if it is not one. */
function scaled(v: string): [bigint, number] | null {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(v.trim());
  if (!m || (!m[2] && !m[3])) return null;
  const frac = m[3] ?? '';
  const n = BigInt(`${m[2] || '0'}${frac}`);
  return [m[1] === '-' ? -n : n, frac.length];
}

/** current − previous, exactly (decimal strings, no float); null when either is unknown. */
export function difference(current: Value, previous: Value): string | null {
  if (current === null || current === undefined || previous === null || previous === undefined) return null;
  const [a, b] = [scaled(current), scaled(previous)];
  if (!a || !b) return null;
  const scale = Math.max(a[1], b[1]);
  const d = a[0] * 10n ** BigInt(scale - a[1]) - b[0] * 10n ** BigInt(scale - b[1]);
  const digits = (d < 0n ? -d : d).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${d < 0n ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

export interface Comparison {
  previous: string | null;
  /** current − previous (exact), null if either is unknown. */
  delta: string | null;
  /** The percentage, or why there is none ("no comparable previous period"). */
  change: Change;
  /** `+$12.00 (+4.1%)`, `no comparable previous period`. */
  text: string;
}

/**
 * A figure against the previous period's. `activity` (calls now and before) says whether the
 * previous period had enough data to compare with (the overview's rule, describeChange).
 */
export function compare(measure: string, current: Value, previous: Value, activity?: { current: Value; previous: Value }): Comparison {
  const change = describeChange(current ?? null, previous ?? null, activity);
  const delta = difference(current, previous);
  const amount = delta === null ? '' : `${delta.startsWith('-') ? '' : '+'}${formatMeasure(measure, delta)}`;
  const text = !change.comparable ? change.text : amount ? `${amount} (${change.text})` : change.text;
  return { previous: previous ?? null, delta, change, text };
}
