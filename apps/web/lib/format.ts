// Display formats for the API's exact decimal strings.
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const smallMoney = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function isMoney(member: string) {
  return /cost|spend|amount/.test(member) && !/per_dollar/.test(member);
}

export function formatMoney(v: string | number | null | undefined) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  return Math.abs(n) < 1 && n !== 0 ? smallMoney.format(n) : money.format(n);
}

/** A measure's value by its name: money, percent (rates), counts, or plain numbers. */
export function formatMeasure(member: string, v: string | number | null | undefined) {
  if (v === null || v === undefined || v === '') return '—';
  if (isMoney(member)) return formatMoney(v);
  const n = Number(v);
  if (/rate$/.test(member)) return `${n.toFixed(2)}%`; // the model's rates are percentages (0-100)
  if (/^(calls|error_calls|unpriced_calls|priced_calls|distinct_|completed_tasks$)|tokens$/.test(member)) return count.format(n);
  return number.format(n);
}

export function formatPercent(share: number | null | undefined, digits = 1) {
  return share === null || share === undefined ? '' : `${(share * 100).toFixed(digits)}%`;
}

export function formatChange(current: number, previous: number) {
  if (!previous) return current ? 'new' : '—';
  const pct = ((current - previous) / previous) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

export function formatTime(iso: string | null | undefined) {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z?$|Z$/, '').slice(0, 19);
}
