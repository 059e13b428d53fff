// The one formatting module: money from exact decimal strings (never through a float), per-call
// costs with a fixed 6 decimals, thousands separators on every count, and changes that say when
// the previous period is too thin to compare with.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { describeChange, formatCount, formatMeasure, formatMoney, formatMs, formatTags, formatUnitMoney } from '../lib/format.ts';

/** The expected text by decimal.js: cents rounded half away from zero, grouped by thousands. */
function dollars(v: string, places: number) {
  const d = new Decimal(v).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
  const [whole, frac] = d.abs().toFixed(places).split('.');
  return `${d.isNegative() && !d.isZero() ? '-' : ''}$${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

describe('format', () => {
  it('formats totals to the cent from decimal strings beyond a float’s precision', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const whole = String(Math.floor(rnd() * 10 ** (1 + Math.floor(rnd() * 15))));
      const frac = String(Math.floor(rnd() * 1e9)).padStart(9, '0');
      const v = `${rnd() < 0.2 ? '-' : ''}${whole}.${frac}`;
      if (new Decimal(v).abs().lt(0.01)) continue;
      expect(formatMoney(v), v).toBe(dollars(v, 2));
    }
    expect(formatMoney('9007199254740993.015')).toBe('$9,007,199,254,740,993.02'); // a float would read ...992
  });

  it('keeps a total under a cent readable, and per-call costs at 6 decimals', () => {
    expect(formatMoney('0.0042')).toBe('$0.0042');
    expect(formatMoney('0')).toBe('$0.00');
    // Under a millionth (a bill's rounding): its first digits, never -$0.00.
    expect([formatMoney('-0.00000043'), formatMoney('0.000000051'), formatMoney('-0.000271')]).toEqual(['-$0.00000043', '$0.000000051', '-$0.000271']);
    expect(formatMoney(null)).toBe('—');
    expect([formatUnitMoney('0.2024'), formatUnitMoney('0.222035')]).toEqual(['$0.202400', '$0.222035']);
    expect(formatMeasure('avg_cost_per_call', '0.0123456789')).toBe('$0.012346');
  });

  it('separates thousands in counts, token counts and milliseconds; shows time measures as times', () => {
    expect(formatMs(6291)).toBe('6,291 ms');
    expect(formatCount('1234567')).toBe('1,234,567');
    expect(formatMeasure('input_tokens', '98765')).toBe('98,765');
    expect(formatMeasure('last_event_at', '2026-12-02T09:59:58.123')).toBe('2026-12-02 09:59:58');
  });

  it('says there is no comparable previous period below 10 % of the calls, and gives the change otherwise', () => {
    const thin = describeChange('4000', '17.7', { current: '2950', previous: '40' });
    expect(thin).toMatchObject({ text: 'no comparable previous period', comparable: false });
    expect(thin.why).toContain('40 calls against 2,950');
    expect(describeChange('120', '100', { current: '1000', previous: '900' })).toEqual({ text: '+20.0%', comparable: true });
    expect(describeChange('0', '0')).toMatchObject({ text: '—' });
  });

  it('reads the tags dimension as key=value pairs', () => {
    expect(formatTags('{"env": "prod", "team": "eng"}')).toBe('env=prod · team=eng');
    expect(formatTags(null)).toBe('(no tags)');
  });
});
