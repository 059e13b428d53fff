// Money is summed exactly (decimal.js); statistics are computed on numbers and
// shown as decimal strings rounded to 6 places.
import { Decimal } from 'decimal.js';

/** Cube refuses larger result sets; a forecast never works from a partial answer. */
export const MAX_ROWS = 50_000;
export const MONEY_PLACES = 6;

/** A statistic (a number) as money: a decimal string rounded to 6 places ("2.5", "7.9"). */
export function money(x: number | Decimal): string {
  const d = x instanceof Decimal ? x : new Decimal(Number.isFinite(x) ? x : 0);
  const rounded = d.toDecimalPlaces(MONEY_PLACES, Decimal.ROUND_HALF_EVEN);
  return rounded.isZero() ? '0' : rounded.toFixed();
}

export function dec(v: unknown): Decimal {
  return v === null || v === undefined || v === '' ? new Decimal(0) : new Decimal(v as string | number);
}

export function tooManyRows(length: number, what: string) {
  if (length >= MAX_ROWS) throw new Error(`${what} returned ${MAX_ROWS} rows or more; refusing a partial answer`);
}
