// Budget spend read as roll-ups for whole days plus raw edges: the segments, and the spend of
// generated budgets against SQL over the raw events, also for events stored after the roll-ups
// were built (today's, and back-filled days).
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@spendgraph/test-support/global-setup';
import { type Budget, type Pool, applyRetention, createPool, ensureWorkspace, insertUsageEvents, setRawRetention, type UsageEventRow } from '@spendgraph/db';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { budgetWindow, parseBudget, readSpend } from '../src/index.ts';
import { windowSegments } from '../src/spend.ts';

describe('windowSegments', () => {
  const t = (iso: string, zone = 'UTC') => DateTime.fromISO(iso, { zone });
  it('splits a window into its partial edges and the whole days between', () => {
    expect(windowSegments(t('2026-12-01T00:00:00'), t('2026-12-02T10:44:00'))).toEqual([
      ['2026-12-01T00:00:00.000', '2026-12-01T23:59:59.999'],
      ['2026-12-02T00:00:00.000', '2026-12-02T10:44:00.000'],
    ]);
    expect(windowSegments(t('2026-11-25T10:44:00'), t('2026-12-02T10:44:00'))).toEqual([
      ['2026-11-25T10:44:00.000', '2026-11-25T23:59:59.999'],
      ['2026-11-26T00:00:00.000', '2026-12-01T23:59:59.999'],
      ['2026-12-02T00:00:00.000', '2026-12-02T10:44:00.000'],
    ]);
    expect(windowSegments(t('2026-12-02T00:00:00'), t('2026-12-02T10:44:00'))).toEqual([['2026-12-02T00:00:00.000', '2026-12-02T10:44:00.000']]);
    expect(windowSegments(t('2026-12-02T03:00:00'), t('2026-12-02T10:44:00'))).toEqual([['2026-12-02T03:00:00.000', '2026-12-02T10:44:00.000']]);
  });

  it('a lifetime window reads history before the roll-ups apart; days are local to the zone, across a DST change', () => {
    const segments = windowSegments(null, t('2026-11-02T10:00:00', 'America/New_York'));
    expect(segments).toHaveLength(3);
    expect(segments[0]![0]).toBe('1000-01-01T00:00:00.000');
    expect(segments[2]).toEqual(['2026-11-02T00:00:00.000', '2999-12-31T23:59:59.999']); // no end: stamps ahead of the clock count
    expect(windowSegments(t('2026-10-31T12:00:00', 'America/New_York'), t('2026-11-02T10:00:00', 'America/New_York'))).toEqual([
      ['2026-10-31T12:00:00.000', '2026-10-31T23:59:59.999'],
      ['2026-11-01T00:00:00.000', '2026-11-01T23:59:59.999'], // 25 hours long
      ['2026-11-02T00:00:00.000', '2026-11-02T10:00:00.000'],
    ]);
  });
});

describe('readSpend', () => {
  let pool: Pool;
  let semantic: SemanticLayer;
  let workspaceId: string;
  const now = DateTime.utc();
  const event = (at: DateTime, i: number): UsageEventRow => ({
    workspace_id: workspaceId, event_id: randomUUID(), occurred_at: at.toISO()!, kind: 'model_call', provider: 'openai', model: i % 2 ? 'gpt-4o' : 'o3',
    status: 'ok', latency_ms: null, input_tokens: 1, output_tokens: 1, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0,
    reasoning_tokens: 0, input_cost: null, output_cost: null, cache_read_cost: null, cache_write_5m_cost: null, cache_write_1h_cost: null,
    reasoning_cost: null, total_cost: `${(i % 97) + 1}.${String(i % 1000).padStart(3, '0')}001`, currency: 'USD', price_source: 'catalog', price_version: null,
    unpriced: false, space: null, plan_id: null, task_id: null, task_type: null, workflow: null, step: null, agent: `agent-${i % 3}`,
    user_id: `user-${i % 4}`, customer_id: null, feature: null, session_id: null, work_item: null, source: 'api', tags: {},
  });
  /** Events every 7 hours over 40 days, up to a minute ago. */
  const history = (n: number, offset: number) =>
    Array.from({ length: n }, (_, i) => event(now.minus({ hours: 7 * i + offset, minutes: 1 }), i + offset));

  beforeAll(async () => {
    pool = createPool(inject('databaseUrl'), 2);
    workspaceId = (await ensureWorkspace(pool, `spend-${randomUUID().slice(0, 8)}`)).id;
    await insertUsageEvents(pool, history(140, 0));
    semantic = await createSemanticLayer({ databaseUrl: inject('databaseUrl'), preAggregationsSchema: 'spend_rollups' });
    await semantic.warmPreAggregations();
  }, 180_000);
  afterAll(async () => {
    await semantic?.close();
    await pool?.end();
  });

  const budgets: Array<Record<string, unknown>> = [
    { period: 'daily' }, { period: 'weekly' }, { period: 'monthly' }, { period: 'rolling', rollingDays: 7 }, { period: 'lifetime' },
  ].flatMap((p, i) => [
    { ...p, scope: [{ member: 'user_id', values: [`user-${i % 4}`] }] },
    { ...p, scope: [{ member: 'agent', values: ['agent-1', 'agent-2'] }, { member: 'model', values: ['o3'] }] },
    { ...p, scope: [{ member: 'model', operator: 'notEquals', values: ['o3'] }] },
    { ...p, wholeWorkspace: true },
  ]);

  async function expectExact() {
    const parsed = budgets.map((b) => {
      const r = parseBudget({ name: 'b', amount: '100', ...b });
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      return { ...r.fields, id: randomUUID(), workspaceId } as unknown as Budget;
    });
    const requests = parsed.map((budget) => ({ budget, from: budgetWindow(budget, now.toJSDate()).start, to: now }));
    const spends = await readSpend(semantic, workspaceId, requests);
    for (const [i, r] of requests.entries()) {
      const conditions = r.budget.scope.map((f, j) => `(${f.member} ${f.operator === 'equals' ? '= ANY' : 'IS NULL OR ' + f.member + ' <> ALL'}($${j + 2}::text[]))`);
      const params = [workspaceId, ...r.budget.scope.map((f) => f.values)];
      const sum = async (table: string, range: string) =>
        (await pool.query(`SELECT coalesce(sum(total_cost), 0)::text AS s FROM ${table} WHERE workspace_id = $1 ${[range, ...conditions].map((c) => `AND ${c}`).join(' ')}`, params)).rows[0].s;
      // A lifetime budget counts everything recorded: stamps ahead of the clock, and the days retention archived.
      const expected = r.from
        ? await sum('usage_events', `occurred_at >= '${r.from.toISO()}' AND occurred_at <= '${r.to.toISO()}'`)
        : new Decimal(await sum('usage_events', 'true')).plus(await sum('usage_daily', 'true'));
      expect(spends[i]!.toFixed(), JSON.stringify(budgets[i])).toBe(new Decimal(expected).toFixed());
    }
  }

  it('equals SQL over raw events, before and after events arrive for days already rolled up', async () => {
    await expectExact();
    await insertUsageEvents(pool, [...history(20, 3), event(now.minus({ minutes: 2 }), 7), event(now.minus({ days: 20 }), 11)]);
    await expectExact();
  });

  it('a lifetime budget counts events stamped ahead of the clock and the days retention archived', async () => {
    await insertUsageEvents(pool, [event(now.plus({ hours: 2 }), 13), event(now.plus({ minutes: 1 }), 17)]);
    await setRawRetention(pool, workspaceId, 30);
    await applyRetention(pool, now.toJSDate());
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM usage_daily WHERE workspace_id = $1', [workspaceId]);
    expect(rows[0].n).toBeGreaterThan(0); // days were archived
    await expectExact();
  });
});
