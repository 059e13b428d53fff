// Work-item allocations: generated weights → shares that add up to exactly 1, each within one
// unit (10^-12) of its exact proportion; and the batch validation of work_items.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { SHARE_SCALE, allocateShares, parseEventBatch } from '../src/index.ts';

const base = { occurred_at: '2026-10-01T00:00:00Z', provider: 'anthropic', model: 'm' };
const UNIT = new Decimal(10).pow(-SHARE_SCALE);

function parse(e: Record<string, unknown>) {
  return parseEventBatch([{ ...base, ...e }]);
}

describe('allocateShares', () => {
  it('gives shares that add up to exactly 1, within one unit of the exact proportion (generated weights)', () => {
    let s = 7;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 2000; run++) {
      const n = 1 + Math.floor(rnd() * 12);
      const items = Array.from({ length: n }, (_, i) => ({
        id: `W-${i}`,
        weight: rnd() < 0.3 ? String(1 + Math.floor(rnd() * 5)) : (rnd() * 10 ** Math.floor(rnd() * 8)).toFixed(Math.floor(rnd() * 18) + 1),
      })).filter((i) => new Decimal(i.weight).gt(0));
      if (!items.length) continue;
      const shares = allocateShares(items);
      const total = items.reduce((t, i) => t.plus(i.weight), new Decimal(0));
      expect(shares.reduce((t, x) => t.plus(x.share), new Decimal(0)).toFixed()).toBe('1');
      shares.forEach((x, i) => {
        expect(x.work_item).toBe(items[i]!.id);
        expect(new Decimal(x.share).decimalPlaces()).toBeLessThanOrEqual(SHARE_SCALE);
        expect(new Decimal(x.share).minus(new Decimal(items[i]!.weight).div(total)).abs().lte(UNIT)).toBe(true);
      });
    }
  });

  it('splits equal weights evenly, the remainder units to the first items', () => {
    expect(allocateShares([{ id: 'A', weight: '1' }, { id: 'B', weight: '1' }, { id: 'C', weight: '1' }]).map((x) => x.share))
      .toEqual(['0.333333333334', '0.333333333333', '0.333333333333']);
    expect(allocateShares([{ id: 'A', weight: '3' }]).map((x) => x.share)).toEqual(['1']);
  });
});

describe('work_items in an event', () => {
  it('keeps a call for several work items as one event with its allocation; one item is work_item', () => {
    const r = parse({ work_items: ['WRK-2', { id: 'WRK-1', share: '3' }] });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.events).toHaveLength(1);
    expect(r.events[0]!.work_items).toEqual([{ work_item: 'WRK-2', share: '0.25' }, { work_item: 'WRK-1', share: '0.75' }]);
    expect(r.events[0]!.context.work_item).toBeUndefined();
    const one = parse({ work_items: [{ id: 'WRK-9', share: 0.2 }] });
    if (!one.ok) throw new Error(JSON.stringify(one.issues));
    expect(one.events[0]!.context.work_item).toBe('WRK-9');
    expect(one.events[0]!.work_items).toBeUndefined();
  });

  it('refuses contradictions and bad weights, naming the field', () => {
    const issues = (e: Record<string, unknown>) => {
      const r = parse(e);
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    };
    expect(issues({ work_item: 'A-1', work_items: ['B-1', 'C-1'] })).toEqual(['work_items: give work_item or work_items, not both']);
    expect(issues({ work_items: ['A-1', { id: 'A-1', share: 2 }] })).toEqual(['work_items.1: names A-1 a second time']);
    expect(issues({ work_items: [{ id: 'A-1', share: 0 }] })).toEqual(['work_items.0.share: must be greater than 0']);
    expect(issues({ work_items: [{ id: 'A-1', share: '-1' }] })[0]).toMatch(/^work_items\.0\.share: must be a non-negative decimal/);
    expect(issues({ work_items: [] })[0]).toMatch(/^work_items: /);
    expect(issues({ work_items: [{ id: 'A-1', weight: 1 }] })[0]).toMatch(/^work_items\.0/);
  });

  it('gives distinct content-derived ids to the same call for different allocations', () => {
    const a = parse({ work_items: ['A-1', 'B-1'] });
    const b = parse({ work_items: [{ id: 'A-1', share: 2 }, 'B-1'] });
    if (!a.ok || !b.ok) throw new Error('invalid');
    expect(a.events[0]!.event_id).not.toBe(b.events[0]!.event_id);
  });
});
