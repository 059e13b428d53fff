// The semantic layer against real TimescaleDB: hand-computed figures, from raw
// events and from warmed roll-ups; workspace isolation; member checks.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@spendgraph/test-support/global-setup'; // inject('databaseUrl') typing
import { createPool, ensureWorkspace, insertUsageEvents, type Pool } from '@spendgraph/db';
import { createSemanticLayer, type CubeQuery, type SemanticLayer } from '../src/index.ts';
import { at, bucket, date, row, seedTwoWorkspaces } from './fixtures.ts';
import { expectSemanticError, modelWithoutRollups, removeModelVariants } from './support.ts';

let pool: Pool;
let ws: { a: string; b: string };
/** The real model; roll-ups warmed before the tests. */
let rollupLayer: SemanticLayer;
/** The same model without pre-aggregations: every figure from raw events. */
let rawLayer: SemanticLayer;
let built: string[];

beforeAll(async () => {
  const databaseUrl = inject('databaseUrl');
  pool = createPool(databaseUrl, 2);
  ws = await seedTwoWorkspaces(pool);
  rawLayer = await createSemanticLayer({ databaseUrl, modelDir: await modelWithoutRollups(), preAggregationsSchema: 'sem_raw_rollups' });
  rollupLayer = await createSemanticLayer({ databaseUrl, preAggregationsSchema: 'sem_rollups' });
  ({ built } = await rollupLayer.warmPreAggregations());
}, 180_000);

afterAll(async () => {
  await rawLayer?.close();
  await rollupLayer?.close();
  await pool?.end();
  await removeModelVariants();
});

const A = () => ({ workspaceId: ws.a });
const B = () => ({ workspaceId: ws.b });

const TOTALS: CubeQuery = {
  measures: [
    'usage.total_cost', 'usage.input_cost', 'usage.output_cost', 'usage.cache_read_cost',
    'usage.cache_write_5m_cost', 'usage.cache_write_1h_cost', 'usage.reasoning_cost',
    'usage.input_tokens', 'usage.output_tokens', 'usage.cache_read_tokens', 'usage.cache_write_5m_tokens',
    'usage.cache_write_1h_tokens', 'usage.reasoning_tokens', 'usage.total_tokens',
    'usage.calls', 'usage.error_calls', 'usage.unpriced_calls', 'usage.priced_calls',
  ],
};

describe.each([
  ['raw events', () => rawLayer, [] as string[]],
  ['warmed roll-ups', () => rollupLayer, null],
])('figures from %s', (_name, layer, expectedRollups) => {
  const rollups = (id: string) => expectedRollups ?? [id];

  it('totals equal the hand-computed sums (exact numeric strings)', async () => {
    const r = await layer().load(TOTALS, A());
    expect(r.data).toEqual([
      {
        'usage.total_cost': '0.05618',
        'usage.input_cost': '0.00953',
        'usage.output_cost': '0.00715',
        'usage.cache_read_cost': '0.00275',
        'usage.cache_write_5m_cost': '0.00375',
        'usage.cache_write_1h_cost': '0.012',
        'usage.reasoning_cost': '0.001',
        'usage.input_tokens': '3610',
        'usage.output_tokens': '660',
        'usage.cache_read_tokens': '6000',
        'usage.cache_write_5m_tokens': '1000',
        'usage.cache_write_1h_tokens': '2000',
        'usage.reasoning_tokens': '100',
        'usage.total_tokens': '13370',
        'usage.calls': '6',
        'usage.error_calls': '2',
        'usage.unpriced_calls': '1',
        'usage.priced_calls': '5',
      },
    ]);
    expect(r.usedPreAggregations).toEqual(rollups('usage_events.daily_totals'));
  });

  it('ratios: error rate, average cost per priced call, cost per 1k priced tokens, average latency', async () => {
    const r = await layer().load(
      { measures: ['usage.error_rate', 'usage.avg_cost_per_call', 'usage.cost_per_1k_tokens', 'usage.avg_latency_ms', 'usage.latency_ms_count'] },
      A(),
    );
    const row = r.data[0]!;
    expect(Number(row['usage.error_rate'])).toBeCloseTo((100 * 2) / 6, 10);
    expect(row['usage.avg_cost_per_call']).toMatch(/^0\.011236(0*)$/); // 0.05618 / 5 priced calls
    expect(Number(row['usage.cost_per_1k_tokens'])).toBeCloseTo((1000 * 0.05618) / 13220, 12);
    expect(Number(row['usage.avg_latency_ms'])).toBe(300); // (100+300+200+400+500) / 5
    expect(row['usage.latency_ms_count']).toBe('5');
    expect(r.usedPreAggregations).toEqual(rollups('usage_events.daily_totals'));
  });

  it('groups by provider and model', async () => {
    const r = await layer().load(
      {
        measures: ['usage.total_cost', 'usage.calls', 'usage.unpriced_calls'],
        dimensions: ['usage.provider', 'usage.model'],
        order: [['usage.provider', 'asc'], ['usage.model', 'asc']],
      },
      A(),
    );
    expect(r.data).toEqual([
      { 'usage.provider': 'anthropic', 'usage.model': 'claude-sonnet-4-5', 'usage.total_cost': '0.02493', 'usage.calls': '3', 'usage.unpriced_calls': '0' },
      { 'usage.provider': 'mystery', 'usage.model': 'unknown-model', 'usage.total_cost': null, 'usage.calls': '1', 'usage.unpriced_calls': '1' },
      { 'usage.provider': 'openai', 'usage.model': 'gpt-4o', 'usage.total_cost': '0.01125', 'usage.calls': '1', 'usage.unpriced_calls': '0' },
      { 'usage.provider': null, 'usage.model': null, 'usage.total_cost': '0.02', 'usage.calls': '1', 'usage.unpriced_calls': '0' },
    ]);
    expect(r.usedPreAggregations).toEqual(rollups('usage_events.daily_by_model'));
  });

  it('nests plan > task > step > agent', async () => {
    const r = await layer().load(
      {
        measures: ['usage.total_cost', 'usage.total_tokens'],
        dimensions: ['usage.plan_id', 'usage.task_id', 'usage.step', 'usage.agent'],
        order: [['usage.plan_id', 'asc'], ['usage.task_id', 'asc'], ['usage.step', 'asc']],
      },
      A(),
    );
    expect(r.data).toEqual([
      { 'usage.plan_id': 'p1', 'usage.task_id': 'p1/t1', 'usage.step': 'implement', 'usage.agent': 'coder', 'usage.total_cost': '0.0075', 'usage.total_tokens': '6200' },
      { 'usage.plan_id': 'p1', 'usage.task_id': 'p1/t1', 'usage.step': null, 'usage.agent': null, 'usage.total_cost': '0.02', 'usage.total_tokens': '0' },
      { 'usage.plan_id': 'p1', 'usage.task_id': 'p1/t2', 'usage.step': 'review', 'usage.agent': 'reviewer', 'usage.total_cost': '0.0015', 'usage.total_tokens': '500' },
      { 'usage.plan_id': 'p2', 'usage.task_id': 'p2/t1', 'usage.step': 'implement', 'usage.agent': 'coder', 'usage.total_cost': '0.01125', 'usage.total_tokens': '3500' },
      { 'usage.plan_id': 'p2', 'usage.task_id': 'p2/t1', 'usage.step': null, 'usage.agent': null, 'usage.total_cost': null, 'usage.total_tokens': '150' },
      { 'usage.plan_id': 'p3', 'usage.task_id': 'p3/t1', 'usage.step': 'plan', 'usage.agent': 'planner', 'usage.total_cost': '0.01593', 'usage.total_tokens': '3020' },
    ]);
    expect(r.usedPreAggregations).toEqual(rollups('usage_events.daily_by_work'));
  });

  it('rolls up by plan only, and filters by user and customer', async () => {
    const byPlan = await layer().load({ measures: ['usage.total_cost'], dimensions: ['usage.plan_id'], order: { 'usage.plan_id': 'asc' } }, A());
    expect(byPlan.data).toEqual([
      { 'usage.plan_id': 'p1', 'usage.total_cost': '0.0290' },
      { 'usage.plan_id': 'p2', 'usage.total_cost': '0.01125' },
      { 'usage.plan_id': 'p3', 'usage.total_cost': '0.01593' },
    ]);
    const anaC1 = await layer().load(
      {
        measures: ['usage.total_cost', 'usage.calls'],
        dimensions: ['usage.feature'],
        filters: [
          { member: 'usage.user_id', operator: 'equals', values: ['ana'] },
          { member: 'usage.customer_id', operator: 'equals', values: ['c1'] },
        ],
      },
      A(),
    );
    expect(anaC1.data).toEqual([{ 'usage.feature': 'chat', 'usage.total_cost': '0.0090', 'usage.calls': '2' }]);
    expect(anaC1.usedPreAggregations).toEqual(rollups('usage_events.daily_by_actor'));
  });

  it('groups by day and by week (UTC), within a date range', async () => {
    const byDay = await layer().load(
      {
        measures: ['usage.total_cost', 'usage.calls'],
        timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'day', dateRange: [date(-1), date(20)] }],
      },
      A(),
    );
    expect(byDay.data).toEqual([
      { 'usage.occurred_at.day': bucket(0), 'usage.occurred_at': bucket(0), 'usage.total_cost': '0.0090', 'usage.calls': '2' },
      { 'usage.occurred_at.day': bucket(1), 'usage.occurred_at': bucket(1), 'usage.total_cost': '0.01125', 'usage.calls': '2' },
      { 'usage.occurred_at.day': bucket(8), 'usage.occurred_at': bucket(8), 'usage.total_cost': '0.03593', 'usage.calls': '2' },
    ]);
    const byWeek = await layer().load(
      { measures: ['usage.total_cost'], dimensions: ['usage.occurred_at.week'], filters: [{ member: 'usage.occurred_at', operator: 'beforeDate', values: [date(8)] }] },
      A(),
    );
    expect(byWeek.data).toEqual([
      { 'usage.occurred_at.week': bucket(0), 'usage.occurred_at': bucket(0), 'usage.total_cost': '0.02025' },
    ]);
  });

  it('groups by day in the query time zone', async () => {
    // Honolulu is UTC-10: the events of day 1 09:30Z and day 8 08:00Z / 09:00Z fall on the day before.
    const r = await layer().load(
      { measures: ['usage.total_cost', 'usage.calls'], timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'day' }], timezone: 'Pacific/Honolulu' },
      A(),
    );
    expect(r.data.map((d) => [d['usage.occurred_at.day'], d['usage.total_cost'], d['usage.calls']])).toEqual([
      [bucket(0), '0.02025', '3'],
      [bucket(1), null, '1'],
      [bucket(7), '0.03593', '2'],
    ]);
    // not a warmed zone (rollupTimezones): raw events, no roll-up built inside a request
    expect(r.usedPreAggregations).toEqual([]);
  });

  it("workspace B sees only its own figures", async () => {
    const r = await layer().load({ measures: ['usage.total_cost', 'usage.calls', 'usage.error_calls'] }, B());
    expect(r.data).toEqual([{ 'usage.total_cost': '300.75', 'usage.calls': '2', 'usage.error_calls': '1' }]);
  });
});

describe('roll-ups', () => {
  it('warmPreAggregations builds the partitions of every roll-up into the pre-aggregations schema', () => {
    for (const name of ['daily_totals', 'daily_by_model', 'daily_by_work', 'by_plan_model', 'daily_by_user', 'by_customer', 'by_session', 'daily_by_actor'] /* table names: a roll-up's sql_alias if it has one */) {
      expect(built.some((t) => t.startsWith(`sem_rollups.usage_events_${name}`)), name).toBe(true);
    }
  });

  it('a rolled-up query reports the roll-up and gives the same figures as raw events', async () => {
    const query: CubeQuery = {
      measures: ['usage.total_cost', 'usage.total_tokens', 'usage.calls', 'usage.error_rate', 'usage.avg_cost_per_call'],
      dimensions: ['usage.provider'],
      timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'week' }],
      order: [['usage.occurred_at.week', 'asc'], ['usage.provider', 'asc']],
    };
    const fromRollup = await rollupLayer.load(query, A());
    const fromRaw = await rawLayer.load(query, A());
    expect(fromRollup.usedPreAggregations).toEqual(['usage_events.daily_by_model']);
    expect(fromRaw.usedPreAggregations).toEqual([]);
    expect(fromRollup.data).toEqual(fromRaw.data);
    expect(fromRollup.data.length).toBe(5);
  });

  it('effort within task type reads daily_by_work and gives the same figures as raw events', async () => {
    const query: CubeQuery = {
      measures: ['usage.total_cost', 'usage.total_tokens', 'usage.calls', 'usage.error_calls'],
      dimensions: ['usage.task_type', 'usage.effort'],
      timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'day' }],
      order: [['usage.occurred_at.day', 'asc'], ['usage.task_type', 'asc'], ['usage.effort', 'asc']],
    };
    const fromRollup = await rollupLayer.load(query, A());
    expect(fromRollup.usedPreAggregations).toEqual(['usage_events.daily_by_work']);
    expect(fromRollup.data).toEqual((await rawLayer.load(query, A())).data);
    expect(fromRollup.data.map((r) => r['usage.effort'])).toEqual(expect.arrayContaining(['high', 'low', null]));
  });

  it('rows stored after the build are in the answer at once (lambda read); a fresh query reads raw events only', async () => {
    const late = await ensureWorkspace(pool, 'sem-late-arrival');
    await insertUsageEvents(pool, [row(late.id, { occurred_at: at(2, 10), provider: 'openai', total_cost: '1.250000', unpriced: false })]);
    const query: CubeQuery = {
      measures: ['usage.total_cost', 'usage.calls'], dimensions: ['usage.provider'],
      timeDimensions: [{ dimension: 'usage.occurred_at', dateRange: [date(0), date(13)] }],
    };
    const rolled = await rollupLayer.load(query, { workspaceId: late.id });
    expect(rolled.usedPreAggregations).toEqual(['usage_events.daily_by_model']);
    // The partition was built before the row arrived: it is read from raw events, in the same query.
    expect(rolled.data).toEqual([{ 'usage.provider': 'openai', 'usage.total_cost': '1.250000', 'usage.calls': '1' }]);
    const fresh = await rollupLayer.load(query, { workspaceId: late.id }, { fresh: true });
    expect(fresh.usedPreAggregations).toEqual([]);
    expect(fresh.data).toEqual([{ 'usage.provider': 'openai', 'usage.total_cost': '1.250000', 'usage.calls': '1' }]);
    expect((await rollupLayer.sql(query, A(), { fresh: true })).sql).not.toContain('sem_rollups');
  });

  it('non-additive measures (p95, distinct counts) are computed from raw events', async () => {
    const r = await rollupLayer.load(
      { measures: ['usage.p95_latency_ms', 'usage.distinct_sessions', 'usage.distinct_users', 'usage.distinct_tasks'] },
      A(),
    );
    expect(r.usedPreAggregations).toEqual([]);
    // latencies 100, 200, 300, 400, 500 (one event has none): continuous p95 = 400 + 0.8 * 100
    expect(r.data).toEqual([
      { 'usage.p95_latency_ms': '480.000', 'usage.distinct_sessions': '3', 'usage.distinct_users': '3', 'usage.distinct_tasks': '4' },
    ]);
    const byModel = await rollupLayer.load(
      { measures: ['usage.p95_latency_ms', 'usage.distinct_sessions'], dimensions: ['usage.model'], order: { 'usage.model': 'asc' } },
      A(),
    );
    expect(byModel.data).toEqual([
      { 'usage.model': 'claude-sonnet-4-5', 'usage.p95_latency_ms': '480.000', 'usage.distinct_sessions': '1' }, // 100, 300, 500
      { 'usage.model': 'gpt-4o', 'usage.p95_latency_ms': '200.000', 'usage.distinct_sessions': '1' },
      { 'usage.model': 'unknown-model', 'usage.p95_latency_ms': '400.000', 'usage.distinct_sessions': '1' },
      { 'usage.model': null, 'usage.p95_latency_ms': null, 'usage.distinct_sessions': '1' },
    ]);
  });

  it('picks up roll-up tables another process rebuilt (and dropped the old ones)', async () => {
    // Two layers stand for two processes (API and warming job): each has its own cache of the table list.
    const schema = 'sem_rollups_shared';
    const warmer = await createSemanticLayer({ databaseUrl: inject('databaseUrl'), preAggregationsSchema: schema });
    const api = await createSemanticLayer({ databaseUrl: inject('databaseUrl'), preAggregationsSchema: schema });
    try {
      await warmer.warmPreAggregations();
      const byStatus = await api.load({ measures: ['usage.calls'], dimensions: ['usage.status'], order: { 'usage.status': 'asc' } }, A());
      expect(byStatus.usedPreAggregations).toEqual(['usage_events.daily_by_model']);
      // What a rebuild does: the partition is stored under a new name and the old table is dropped.
      const { rows } = await pool.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1', [schema]);
      const later = Math.floor(Date.now() / 1000 + 60).toString(32);
      for (const { t } of rows) {
        await pool.query(`ALTER TABLE ${schema}."${t}" RENAME TO "${t.replace(/_[0-9a-v]+$/, `_${later}`)}"`);
      }
      const byKind = await api.load({ measures: ['usage.calls'], dimensions: ['usage.kind'], order: { 'usage.kind': 'asc' } }, A());
      expect(byKind.usedPreAggregations).toEqual(['usage_events.daily_by_model']);
      expect(byKind.data).toEqual([
        { 'usage.kind': 'model_call', 'usage.calls': '5' },
        { 'usage.kind': 'tool', 'usage.calls': '1' },
      ]);
    } finally {
      await warmer.close();
      await api.close();
    }
  });

  it('a second warm rebuilds only the partitions written to since', async () => {
    const again = await rollupLayer.warmPreAggregations();
    // <schema>.<cube>_<roll-up><partition start>_<content version>_<structure version>_<build time>
    const partition = (t: string) => t.replace(/_[0-9a-z]+_[0-9a-z]+_[0-9a-z]+$/, '');
    expect(again.built.map(partition)).toEqual(built.map(partition));
    // A partition is rebuilt only when a write touched one of its days since its build: the late
    // arrival above (day 2) dirtied the partitions of that day's week, nothing touched the others.
    const monday = new Date(`${date(2)}T00:00:00Z`);
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    const day2 = (t: string) => partition(t).endsWith(monday.toISOString().slice(0, 10).replaceAll('-', ''));
    expect(again.built.filter((t) => !day2(t))).toEqual(built.filter((t) => !day2(t)));
    const rollupNames = new Set(built.map((t) => /usage_events_([a-z_]+?)\d{8}/.exec(t)?.[1]));
    expect(rollupNames.size).toBeGreaterThanOrEqual(4);
    expect(again.built.filter(day2)).toHaveLength(rollupNames.size); // that week's partition of each roll-up
    expect(again.built.filter(day2).filter((t) => built.includes(t))).toEqual([]);
  });
});

describe('workspace isolation', () => {
  it('scopes a query without filters to the caller', async () => {
    const r = await rollupLayer.load({ measures: ['usage.calls'], dimensions: ['usage.user_id'], order: { 'usage.user_id': 'asc' } }, A());
    expect(r.data.map((d) => d['usage.user_id'])).toEqual(['ana', 'bob', 'carol']); // B's "zed" never appears
  });

  it('an `or` filter cannot reach another workspace', async () => {
    const r = await rawLayer.load(
      {
        measures: ['usage.total_cost', 'usage.calls'],
        filters: [{ or: [{ member: 'usage.user_id', operator: 'equals', values: ['zed'] }, { member: 'usage.model', operator: 'set' }] }],
      },
      A(),
    );
    // A's five events with a model; B's "zed" events (200.25) stay out
    expect(r.data).toEqual([{ 'usage.total_cost': '0.03618', 'usage.calls': '5' }]);
  });

  it('a filter on the workspace member is refused, also inside and/or', async () => {
    const onWorkspace = { member: 'usage.workspace_id', operator: 'equals', values: [ws.b] };
    await expectSemanticError(rollupLayer.load({ measures: ['usage.calls'], filters: [onWorkspace] }, A()), 'NOT_PUBLIC', 'usage.workspace_id');
    await expectSemanticError(
      rollupLayer.load({ measures: ['usage.calls'], filters: [{ or: [{ and: [onWorkspace] }, { member: 'usage.model', operator: 'set' }] }] }, A()),
      'NOT_PUBLIC',
      'usage.workspace_id',
    );
    await expectSemanticError(rollupLayer.load({ measures: ['usage.calls'], dimensions: ['usage.workspace_id'] }, A()), 'NOT_PUBLIC', 'usage.workspace_id');
  });

  it('the private cube is not queryable', async () => {
    await expectSemanticError(rollupLayer.load({ measures: ['usage_events.total_cost'] }, A()), 'NOT_PUBLIC', 'usage_events.total_cost');
    await expectSemanticError(
      rollupLayer.load({ measures: ['usage.calls'], filters: [{ member: 'usage_events.workspace_id', operator: 'set' }] }, A()),
      'NOT_PUBLIC',
      'usage_events.workspace_id',
    );
  });

  it('requires a workspace id', async () => {
    await expectSemanticError(rollupLayer.load({ measures: ['usage.calls'] }, { workspaceId: "' OR 1=1 --" }), 'INVALID_QUERY');
  });
});

describe('query checks', () => {
  it('names an unknown member wherever it appears', async () => {
    const q = (extra: Partial<CubeQuery>): CubeQuery => ({ measures: ['usage.calls'], ...extra });
    await expectSemanticError(rollupLayer.load({ measures: ['usage.nope'] }, A()), 'UNKNOWN_MEMBER', 'usage.nope');
    await expectSemanticError(rollupLayer.load(q({ dimensions: ['usage.colour'] }), A()), 'UNKNOWN_MEMBER', 'usage.colour');
    await expectSemanticError(rollupLayer.load(q({ timeDimensions: [{ dimension: 'usage.when', granularity: 'day' }] }), A()), 'UNKNOWN_MEMBER', 'usage.when');
    await expectSemanticError(
      rollupLayer.load(q({ filters: [{ and: [{ member: 'usage.planet', operator: 'equals', values: ['x'] }] }] }), A()),
      'UNKNOWN_MEMBER',
      'usage.planet',
    );
    await expectSemanticError(rollupLayer.load(q({ dimensions: ['other.model'] }), A()), 'UNKNOWN_MEMBER', 'other.model');
  });

  it('ordering by an unknown member, or one not in the query, is an error', async () => {
    await expectSemanticError(rollupLayer.load({ measures: ['usage.calls'], order: { 'usage.nope': 'desc' } }, A()), 'UNKNOWN_MEMBER', 'usage.nope');
    await expectSemanticError(rollupLayer.load({ measures: ['usage.calls'], order: [['usage.workspace_id', 'asc']] }, A()), 'NOT_PUBLIC', 'usage.workspace_id');
    await expectSemanticError(rollupLayer.load({ measures: ['usage.calls'], order: { 'usage.model': 'asc' } }, A()), 'INVALID_QUERY', 'usage.model');
  });

  it('maps invalid queries and the row limit', async () => {
    await expectSemanticError(rollupLayer.load({ measures: ['usage.model'] }, A()), 'INVALID_QUERY', 'usage.model');
    await expectSemanticError(
      rollupLayer.load({ measures: ['usage.calls'], filters: [{ member: 'usage.model', operator: 'like', values: ['x'] }] }, A()),
      'INVALID_QUERY',
      'usage.model',
    );
    await expectSemanticError(rollupLayer.load({ measures: ['usage.calls'], timeDimensions: [{ dimension: 'usage.model', granularity: 'day' }] }, A()), 'INVALID_QUERY', 'usage.model');
    await expectSemanticError(rollupLayer.load({ measures: ['usage.calls'], limit: 50_001 }, A()), 'LIMIT_EXCEEDED', 'limit');
    await expectSemanticError(
      rollupLayer.load({ measures: ['usage.calls'], filters: [{ member: 'usage.latency_ms', operator: 'gt', values: ['fast'] }] }, A()),
      'INVALID_QUERY',
      'usage.latency_ms',
    );
    await expectSemanticError(
      rollupLayer.load({ measures: ['usage.calls'], filters: [{ or: [{ member: 'usage.calls', operator: 'gt', values: ['1'] }, { member: 'usage.model', operator: 'set' }] }] }, A()),
      'INVALID_QUERY',
      'usage.calls',
    );
    await expectSemanticError(
      rollupLayer.load({ measures: ['usage.calls'], filters: [{ member: 'usage.occurred_at', operator: 'inDateRange', values: ['2026-11-01', 'soon'] }] }, A()),
      'INVALID_QUERY',
    );
    await expectSemanticError(rollupLayer.load({ measures: [{ expression: '1' }] } as unknown as CubeQuery, A()), 'INVALID_QUERY');
    await expectSemanticError(rollupLayer.load({ measures: ['usage.calls'], subqueryJoins: [] } as unknown as CubeQuery, A()), 'INVALID_QUERY');
  });

  it('limit, offset and total', async () => {
    const r = await rawLayer.load(
      { measures: ['usage.calls'], dimensions: ['usage.task_id'], order: { 'usage.task_id': 'asc' }, limit: 2, offset: 1, total: true },
      A(),
    );
    expect(r.data).toEqual([
      { 'usage.task_id': 'p1/t2', 'usage.calls': '1' },
      { 'usage.task_id': 'p2/t1', 'usage.calls': '2' },
    ]);
    expect(r.total).toBe(4);
  });

  it('ungrouped rows for drill-down', async () => {
    const r = await rawLayer.load(
      {
        dimensions: ['usage.event_id', 'usage.occurred_at', 'usage.model', 'usage.status'],
        filters: [{ member: 'usage.plan_id', operator: 'equals', values: ['p1'] }],
        order: { 'usage.occurred_at': 'asc' },
        ungrouped: true,
      },
      A(),
    );
    expect(r.data.map((d) => [d['usage.occurred_at'], d['usage.status']])).toEqual([
      [bucket(0, 10), 'ok'],
      [bucket(0, 11), 'error'],
      [bucket(8, 8), 'timeout'],
    ]);
    expect(r.data.every((d) => typeof d['usage.event_id'] === 'string')).toBe(true);
    const one = await rawLayer.load(
      { dimensions: ['usage.event_id', 'usage.status'], filters: [{ member: 'usage.event_id', operator: 'equals', values: [String(r.data[1]!['usage.event_id'])] }], ungrouped: true },
      A(),
    );
    expect(one.data).toEqual([{ 'usage.event_id': r.data[1]!['usage.event_id'], 'usage.status': 'error' }]);
    // an id that is no UUID finds nothing rather than failing in Postgres
    const none = await rawLayer.load({ dimensions: ['usage.event_id'], filters: [{ member: 'usage.event_id', operator: 'equals', values: ['abc'] }], ungrouped: true }, A());
    expect(none.data).toEqual([]);
  });
});

describe('meta', () => {
  it('lists the public members of the public views only', () => {
    const { views } = rollupLayer.meta();
    expect(views.map((v) => v.name).sort()).toEqual(['bills', 'cost_pools', 'economics', 'reconciliation', 'usage', 'usage_history']);
    const usage = views.find((v) => v.name === 'usage');
    const names = [...usage!.measures, ...usage!.dimensions].map((m) => m.name);
    expect(names).not.toContain('usage.workspace_id');
    expect(names.some((n) => n.startsWith('usage_events.'))).toBe(false);
    expect(usage!.measures.find((m) => m.name === 'usage.total_cost')).toMatchObject({ format: 'currency', kind: 'measure', shortTitle: 'Total cost' });
    expect(usage!.measures.find((m) => m.name === 'usage.error_rate')).toMatchObject({ format: 'percent' });
    expect(usage!.dimensions.find((m) => m.name === 'usage.occurred_at')).toMatchObject({ type: 'time', kind: 'dimension' });
  });
});
