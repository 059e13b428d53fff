// A call attributed to several work items stays one event; how it divides between them is its
// allocation: exact decimal shares that add up to exactly 1. Weights are normalised here
// (largest remainder on 10^-SHARE_SCALE), so cost × share summed over a call's items is the
// call's cost exactly (numeric multiplication is exact), whatever the weights or the prices.
import { z } from 'zod';

/** Decimal places of a stored share. */
export const SHARE_SCALE = 12;
export const MAX_WORK_ITEMS = 100;
const WEIGHT_SCALE = 18;

/** A weight: a positive decimal (string or number); weights need not add up to 1. */
export const workItemWeight = z
  .union([z.string(), z.number().finite()])
  .transform((v) => (typeof v === 'number' ? numberToDecimal(v) : v.trim()))
  .pipe(
    z.string()
      .regex(/^\d{1,15}(\.\d{1,18})?$/, 'must be a non-negative decimal with at most 18 decimal places')
      .refine((s) => /[1-9]/.test(s), 'must be greater than 0'),
  );

/** A number as a plain decimal string (no exponent), so 1e-7 is accepted like "0.0000001". */
function numberToDecimal(v: number): string {
  if (!Number.isFinite(v) || v < 0) return String(v);
  const s = String(v);
  return s.includes('e') ? v.toFixed(WEIGHT_SCALE).replace(/\.?0+$/, '') : s;
}

export interface WorkItemShare {
  work_item: string;
  /** Decimal string with at most SHARE_SCALE places; the shares of a call add up to exactly 1. */
  share: string;
}

const scaled = (d: string, scale: number): bigint => {
  const [int, frac = ''] = d.split('.');
  return BigInt(int! + frac.padEnd(scale, '0').slice(0, scale));
};

const formatShare = (units: bigint): string => {
  const s = units.toString().padStart(SHARE_SCALE + 1, '0');
  const int = s.slice(0, -SHARE_SCALE);
  const frac = s.slice(-SHARE_SCALE).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
};

/**
 * Shares proportional to the weights, in units of 10^-SHARE_SCALE, that add up to exactly 1:
 * each gets the floor of its exact share, and the units left go one each to the largest
 * remainders (ties to the earlier item), so no share is off by more than one unit.
 */
export function allocateShares(items: ReadonlyArray<{ id: string; weight: string }>): WorkItemShare[] {
  const weights = items.map((i) => scaled(i.weight, WEIGHT_SCALE));
  const total = weights.reduce((a, b) => a + b, 0n);
  const one = 10n ** BigInt(SHARE_SCALE);
  const exact = weights.map((w) => w * one);
  const units = exact.map((e) => e / total);
  let left = one - units.reduce((a, b) => a + b, 0n);
  const byRemainder = exact
    .map((e, i) => ({ i, r: e % total }))
    .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of byRemainder) {
    if (left === 0n) break;
    units[i]! += 1n;
    left -= 1n;
  }
  return items.map((item, i) => ({ work_item: item.id, share: formatShare(units[i]!) }));
}
