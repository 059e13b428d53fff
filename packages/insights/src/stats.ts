// Exact statistics over money and counts. simple-statistics works on JS numbers,
// which cannot hold money exactly; the median of decimals is a sort and a mean.
import { Decimal } from 'decimal.js';

export function median(values: Decimal[]): Decimal {
  if (!values.length) return new Decimal(0);
  const sorted = [...values].sort((a, b) => a.comparedTo(b));
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : sorted[mid - 1]!.plus(sorted[mid]!).div(2);
}

/** a / b, or null when b is zero. */
export function ratio(a: Decimal, b: Decimal): Decimal | null {
  return b.isZero() ? null : a.div(b);
}

/** A decimal string short enough to read (figures keep full precision where they are money). */
export function round(d: Decimal, places = 4): string {
  return d.toDecimalPlaces(places).toFixed();
}
