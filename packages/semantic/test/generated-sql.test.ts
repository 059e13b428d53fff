// The SQL Cube generates for representative queries. Cube's JS planner is
// deprecated upstream: a Cube upgrade that changes how numbers are computed
// (or which roll-up a query reads) must show up here as a snapshot diff.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@spendgraph/test-support/global-setup'; // inject('databaseUrl') typing
import { createSemanticLayer, type CubeQuery, type SemanticLayer } from '../src/index.ts';

const ctx = { workspaceId: '11111111-2222-4333-8444-555555555555' };
let layer: SemanticLayer;

beforeAll(async () => {
  // Roll-ups serve only the zones the warming job builds (no roll-up is built inside a request).
  layer = await createSemanticLayer({ databaseUrl: inject('databaseUrl'), rollupTimezones: ['UTC', 'Europe/Paris'] });
});
afterAll(() => layer?.close());

const queries: Record<string, CubeQuery> = {
  'total cost, no filter (roll-up daily_totals)': { measures: ['usage.total_cost', 'usage.calls'] },
  'cost and tokens by provider and model per day (roll-up daily_by_model)': {
    measures: ['usage.total_cost', 'usage.total_tokens', 'usage.avg_cost_per_call', 'usage.error_rate'],
    dimensions: ['usage.provider', 'usage.model'],
    timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'day', dateRange: ['2026-11-01', '2026-11-30'] }],
    order: { 'usage.total_cost': 'desc' },
  },
  'nested plan > task > step by week (roll-up daily_by_work)': {
    measures: ['usage.total_cost', 'usage.cost_per_1k_tokens'],
    dimensions: ['usage.plan_id', 'usage.task_id', 'usage.step'],
    timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'week', dateRange: ['2026-10-01', '2026-11-30'] }],
  },
  'cost by user and customer with or-filter (roll-up daily_by_actor)': {
    measures: ['usage.total_cost'],
    dimensions: ['usage.user_id', 'usage.customer_id'],
    filters: [{ or: [{ member: 'usage.feature', operator: 'equals', values: ['chat'] }, { member: 'usage.customer_id', operator: 'startsWith', values: ['acme'] }] }],
  },
  'p95 latency and distinct counts by model (raw events)': {
    measures: ['usage.p95_latency_ms', 'usage.avg_latency_ms', 'usage.distinct_sessions', 'usage.distinct_users', 'usage.distinct_tasks'],
    dimensions: ['usage.model'],
  },
  'hourly cost (raw events: finer than the roll-ups)': {
    measures: ['usage.total_cost'],
    timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'hour', dateRange: ['2026-11-02', '2026-11-02'] }],
  },
  'cost by model in another time zone (roll-up daily_by_model, built for that zone)': {
    measures: ['usage.total_cost'],
    dimensions: ['usage.model'],
    timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'day', dateRange: ['2026-11-01', '2026-11-07'] }],
    timezone: 'Europe/Paris',
  },
  'calls and cost by work item: calls from its allocation rows (whole-calls.ts), total_cost per distinct call, allocated cost from the shares (raw events)': {
    measures: ['usage.calls', 'usage.total_cost', 'usage.work_item_total_cost'],
    dimensions: ['usage.work_item'],
    timeDimensions: [{ dimension: 'usage.occurred_at', dateRange: ['2026-11-01', '2026-11-30'] }],
  },
  'events of a session, ungrouped (raw events)': {
    dimensions: ['usage.event_id', 'usage.occurred_at', 'usage.model', 'usage.status'],
    measures: ['usage.total_cost'],
    filters: [{ member: 'usage.session_id', operator: 'equals', values: ['s1'] }],
    order: { 'usage.occurred_at': 'asc' },
    ungrouped: true,
    limit: 100,
  },
};

describe('generated SQL', () => {
  for (const [name, query] of Object.entries(queries)) {
    it(name, async () => {
      const { sql, params } = await layer.sql(query, ctx);
      expect(params).toContain(ctx.workspaceId);
      expect(`${sql}\n-- params: ${JSON.stringify(params)}`).toMatchSnapshot();
    });
  }
});

// A call is one call (docs/decisions/0003-a-call-is-one-call.md): Cube joins the allocations and
// computes usage_events' measures per distinct call (its key sub-query, usage_events read three
// times) only when a question names a work-item member. Every other question reads usage_events
// alone: p95 and distinct counts over raw events must not pay for the join.
describe('questions without work-item members', () => {
  it('never join the allocations, whatever their measures, dimensions and filters', async () => {
    const view = layer.meta().views.find((v) => v.name === 'usage')!;
    const workItem = (name: string) => /^usage\.(work_item|share)/.test(name);
    const measures = view.measures.filter((m) => !m.allocated && !workItem(m.name)).map((m) => m.name);
    const dimensions = view.dimensions.filter((d) => !d.fansOut && !workItem(d.name) && d.type !== 'time').map((d) => d.name);
    expect(measures).toContain('usage.p95_latency_ms');
    expect(dimensions).toContain('usage.model');
    const asked: CubeQuery[] = [
      { measures },
      ...dimensions.map((d) => ({
        measures: ['usage.p95_latency_ms', 'usage.distinct_users', 'usage.calls'],
        dimensions: [d],
        filters: [{ member: d, operator: 'set' }],
        timeDimensions: [{ dimension: 'usage.occurred_at', dateRange: ['2026-11-01', '2026-11-30'] as [string, string] }],
      })),
    ];
    for (const query of asked) {
      const { sql } = await layer.sql(query, ctx);
      expect(sql, JSON.stringify(query)).not.toMatch(/usage_event_work_items|work_item_allocations|"keys"/);
    }
    // The same question by work item does join them, per distinct call.
    const { sql } = await layer.sql({ measures: ['usage.p95_latency_ms'], dimensions: ['usage.work_item'] }, ctx);
    expect(sql).toMatch(/usage_event_work_items/);
    expect(sql).toMatch(/"keys"/);
  });
});

describe('local times in date ranges', () => {
  // Cube 1.7.43 took the zone's offset at the reading read as UTC: after a DST change an hour
  // off, and 08:00-09:00 PST on 1 Nov 2026 had no reading at all ('08:33' became 17:33Z).
  it.each<[string, [string, string], string[]]>([
    ['America/Los_Angeles', ['2026-10-30T00:00:00.000', '2026-11-01T08:33:15.781'], ['2026-10-30T07:00:00.000Z', '2026-11-01T16:33:15.781Z']],
    ['Europe/Berlin', ['2026-10-25T01:30:00.000', '2026-10-26T23:59:59.999'], ['2026-10-24T23:30:00.000Z', '2026-10-26T22:59:59.999Z']],
    ['America/New_York', ['2026-03-08T03:15:00.000', '2026-03-08T05:00:00.000'], ['2026-03-08T07:15:00.000Z', '2026-03-08T09:00:00.000Z']],
    // The first pass of New York's repeated hour has no reading: given as an instant, it is that instant.
    ['America/New_York', ['2026-11-01T01:35:18.867-04:00', '2026-11-01T01:40:00.000'], ['2026-11-01T05:35:18.867Z', '2026-11-01T06:40:00.000Z']],
    ['America/New_York', ['2026-11-01T00:10:00.000', '2026-11-01T05:59:59.999Z'], ['2026-11-01T04:10:00.000Z', '2026-11-01T05:59:59.999Z']],
  ])('are the wall clock of %s, also after a DST change', async (timezone, dateRange, instants) => {
    const { params } = await layer.sql({ measures: ['usage.p95_latency_ms'], timeDimensions: [{ dimension: 'usage.occurred_at', dateRange }], timezone }, ctx);
    expect(params.filter((p) => typeof p === 'string' && /^\d{4}-/.test(p))).toEqual(instants);
  });
});

describe('a raw plan asked again at other instants', () => {
  // The planner reuses a raw plan with its instants replaced: the SQL and parameters must be those
  // a plan made afresh has, in any zone, across a DST change, with date filters beside the range.
  const query = (timezone: string, from: string, to: string, edges: Array<[string, string]> = []): CubeQuery => ({
    measures: ['usage.total_cost'],
    dimensions: ['usage.user_id'],
    filters: [
      { member: 'usage.user_id', operator: 'equals', values: ['ana', 'bo'] },
      ...(edges.length ? [{ or: edges.map((e) => ({ member: 'usage.occurred_at', operator: 'inDateRange', values: [...e] })) }] : []),
    ],
    timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'day', dateRange: [from, to] }],
    timezone,
  });
  it.each<[string, CubeQuery, CubeQuery]>([
    ['today so far', query('UTC', '2026-12-03T00:00:00.000', '2026-12-03T08:00:00.123'), query('UTC', '2026-12-03T00:00:00.000', '2026-12-03T08:20:01.456')],
    ['a DST change', query('America/New_York', '2026-10-31T00:00:00.000', '2026-10-31T08:00:00.000'), query('America/New_York', '2026-11-01T00:00:00.000', '2026-11-01T01:30:00.000')],
    ['edges', query('Europe/Berlin', '2026-12-02T08:00:00.000', '2026-12-03T08:00:00.000', [['2026-12-02T08:00:00.000', '2026-12-02T23:59:59.999'], ['2026-12-03T00:00:00.000', '2026-12-03T08:00:00.000']]),
      query('Europe/Berlin', '2026-10-24T09:00:00.000', '2026-10-25T09:00:00.000', [['2026-10-24T09:00:00.000', '2026-10-24T23:59:59.999'], ['2026-10-25T00:00:00.000', '2026-10-25T09:00:00.000']])],
    ['equal instants', query('UTC', '2026-12-03T00:00:00.000', '2026-12-03T00:00:00.000'), query('UTC', '2026-12-03T00:00:00.000', '2026-12-03T05:00:00.000')],
  ])('is the plan made afresh (%s)', async (_, first, again) => {
    await layer.sql(first, ctx, { fresh: true });
    const reused = await layer.sql(again, ctx, { fresh: true });
    const cold = await createSemanticLayer({ databaseUrl: inject('databaseUrl') });
    try {
      expect(reused).toEqual(await cold.sql(again, ctx, { fresh: true }));
    } finally {
      await cold.close();
    }
  });
});
