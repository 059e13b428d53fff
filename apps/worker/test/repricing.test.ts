// Repricing after a workspace rate changes from an effective date: the covered events
// get the new prices, the others keep theirs, the audit row says who/when/what and the
// totals before and after, and roll-ups past their refresh window show the new figures.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addPriceOverride, createApiKey } from '@spendgraph/db';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
  p.startWorker({ WORKER_QUEUES: 'maintenance', ROLLUP_WARM_EVERY_MS: '0', RETENTION_EVERY_MS: '0' });
});
afterAll(async () => {
  await p?.stop();
});

const DAY = 86_400_000;
const SONNET = 'claude-sonnet-4-5';
const OLD = { input: '3', output: '15' };
const NEW = { input: '2.5', output: '12.5' };

function events() {
  return Array.from({ length: 40 }, (_, i) => ({
    id: randomUUID(),
    occurred_at: new Date(Date.parse('2026-10-05T08:00:00Z') + i * 9 * 3600_000).toISOString(),
    provider: 'anthropic',
    model: i % 4 === 3 ? 'claude-haiku-4-5' : SONNET,
    usage: { input_tokens: 1000 + 37 * i, output_tokens: 100 + 11 * i },
    // Every third call is shared by three work items, every third by one.
    ...(i % 3 === 0 ? { work_items: ['WRK-1', 'WRK-2', 'WRK-3'] } : i % 3 === 1 ? { work_item: 'WRK-1' } : {}),
  }));
}
/** The exact shares of a call for three work items (the remainder unit to the first). */
const THIRDS: Record<string, string> = { 'WRK-1': '0.333333333334', 'WRK-2': '0.333333333333', 'WRK-3': '0.333333333333' };
const shareOf = (e: Ev, item: string | null) =>
  'work_items' in e ? (item ? THIRDS[item] ?? '0' : '0') : 'work_item' in e ? (item === e.work_item ? '1' : '0') : item === null ? '1' : '0';
type Ev = ReturnType<typeof events>[number];
const cost = (e: Ev, r: typeof OLD) => new Decimal(e.usage.input_tokens).mul(r.input).plus(new Decimal(e.usage.output_tokens).mul(r.output)).div(1e6);

const monthTotal = async (key: string) => {
  const { body } = await graphqlRequest(p.apiUrl, key, `{ breakdown(measures: ["total_cost"], by: [], timeRange: { from: "2026-10-01", to: "2026-10-31T23:59:59.999" }) { measures { value } } }`);
  if (body.errors) throw new Error(`breakdown failed: ${JSON.stringify(body.errors)}`);
  return { value: body.data.breakdown.measures[0].value as string, rollups: body.extensions.usedPreAggregations as string[] };
};

it('reprices the covered events, records the change and its totals, and refreshes the roll-ups', async () => {
  const ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
  const admin = await createApiKey(p.pool, ws.workspaceId, ['admin', 'read'], 'finops-lead');
  // The negotiated rate in force when the events were stored.
  await addPriceOverride(p.pool, ws.workspaceId, { provider: 'anthropic', model_pattern: '^claude-', effective_from: '2026-01-01T00:00:00Z', rates: OLD });
  const evs = events();
  await ingestAndWait(p, ws, evs);
  const total = (list: Ev[], rate: (e: Ev) => typeof OLD) => list.reduce((s, e) => s.plus(cost(e, rate(e))), new Decimal(0));
  const before = await monthTotal(admin.key);
  expect(new Decimal(before.value).eq(total(evs, () => OLD))).toBe(true);
  expect(before.rollups.length).toBeGreaterThan(0); // October is answered by roll-ups, past their 7-day refresh window

  // A new rate from October 10th, for Sonnet only; then the explicit repricing.
  await addPriceOverride(p.pool, ws.workspaceId, { provider: 'anthropic', model_pattern: '^claude-sonnet', effective_from: '2026-10-10T00:00:00Z', rates: NEW });
  const covered = (e: Ev) => e.model === SONNET && e.occurred_at >= '2026-10-10';
  const fields = `id status requestedBy requestedByKeyId requestedAt reason provider modelPattern from to startedAt finishedAt
    eventsMatched eventsChanged totalBefore totalAfter unpricedBefore unpricedAfter sourcesBefore { source events } sourcesAfter { source events } error`;
  const queued = (await graphqlData(p.apiUrl, admin.key, `mutation { repriceEvents(input: { reason: "Sonnet rate 2.5/12.5 from Oct 10",
    provider: "anthropic", modelPattern: "^claude-sonnet-4-5", from: "2026-10-10T00:00:00Z", to: "2026-11-01T00:00:00Z" }) { ${fields} } }`)).repriceEvents;
  expect(queued).toMatchObject({ status: 'queued', requestedBy: expect.stringMatching(/^finops-lead \(sg_/), requestedByKeyId: admin.id,
    reason: 'Sonnet rate 2.5/12.5 from Oct 10', provider: 'anthropic', from: '2026-10-10T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });

  const done = await waitFor(async () => {
    const r = (await graphqlData(p.apiUrl, admin.key, `query($id: ID!) { repricing(id: $id) { ${fields} } }`, { id: queued.id })).repricing;
    return ['done', 'failed'].includes(r.status) && r;
  }, 120_000, 'the repricing');
  const n = evs.filter(covered).length;
  expect(done).toMatchObject({ status: 'done', error: null, eventsMatched: n, eventsChanged: n, unpricedBefore: 0, unpricedAfter: 0 });
  expect(new Decimal(done.totalBefore).eq(total(evs.filter(covered), () => OLD))).toBe(true);
  expect(new Decimal(done.totalAfter).eq(total(evs.filter(covered), () => NEW))).toBe(true);
  expect(done.sourcesBefore).toEqual([{ source: 'workspace|workspace@2026-01-01T00:00:00.000Z', events: n }]);
  expect(done.sourcesAfter).toEqual([{ source: 'workspace|workspace@2026-10-10T00:00:00.000Z', events: n }]);
  expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));

  // Stored rows: covered ones at the new rates, the rest untouched.
  const { rows } = await p.pool.query('SELECT event_id, total_cost, price_version FROM usage_events WHERE workspace_id = $1', [ws.workspaceId]);
  const byId = new Map(rows.map((r) => [r.event_id, r]));
  for (const e of evs) expect(new Decimal(byId.get(e.id)!.total_cost).eq(cost(e, covered(e) ? NEW : OLD))).toBe(true);

  // The month's total, still from roll-ups, moved by exactly the difference (an API process
  // sees the rebuilt roll-up tables once its table-list cache, 5 s, expires).
  const expected = total(evs, (e) => (covered(e) ? NEW : OLD));
  const after = await waitFor(async () => {
    const t = await monthTotal(admin.key);
    return new Decimal(t.value).eq(expected) && t;
  }, 60_000, 'the roll-ups to show the new prices');
  expect(after.rollups.length).toBeGreaterThan(0);
  expect(new Decimal(before.value).minus(after.value).eq(new Decimal(done.totalBefore).minus(done.totalAfter))).toBe(true);

  // Work items: each one's allocated cost is its shares of the repriced calls, and they add up to the new total.
  const byItem = (await graphqlData(p.apiUrl, admin.key, `{ breakdown(measures: ["work_item_total_cost"], by: ["work_item"],
    timeRange: { from: "2026-10-01", to: "2026-10-31T23:59:59.999" }) { children { value measures { value } } } }`)).breakdown.children;
  expect(byItem.map((c: any) => c.value).sort()).toEqual(['WRK-1', 'WRK-2', 'WRK-3', null]);
  for (const c of byItem) {
    const want = evs.reduce((s, e) => s.plus(cost(e, covered(e) ? NEW : OLD).mul(shareOf(e, c.value))), new Decimal(0));
    expect(new Decimal(c.measures[0].value).eq(want), `${c.value}`).toBe(true);
  }
  expect(byItem.reduce((s: Decimal, c: any) => s.plus(c.measures[0].value), new Decimal(0)).eq(expected)).toBe(true);

  const list = (await graphqlData(p.apiUrl, admin.key, '{ repricings { id status } }')).repricings;
  expect(list).toEqual([{ id: queued.id, status: 'done' }]);
}, 300_000);

it('needs the admin scope and names bad input', async () => {
  const reader = await workspaceWithKey(p.pool, ['read']);
  const m = (input: string) => `mutation { repriceEvents(input: { ${input} }) { id } }`;
  expect((await graphqlRequest(p.apiUrl, reader.key, m('reason: "x", provider: "openai", from: "2026-10-01"'))).body.errors[0].extensions.code).toBe('FORBIDDEN');
  const admin = await workspaceWithKey(p.pool, ['admin']);
  for (const [input, field] of [
    ['reason: "x", provider: "openai", from: "yesterday"', 'input.from'],
    ['reason: "x", provider: "openai", from: "2026-10-01", to: "2026-09-01"', 'input.to'],
    ['reason: "x", provider: "openai", modelPattern: "(", from: "2026-10-01"', 'input.modelPattern'],
    ['reason: " ", provider: "openai", from: "2026-10-01"', 'input.reason'],
  ]) {
    const { body } = await graphqlRequest(p.apiUrl, admin.key, m(input!));
    expect(body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field });
  }
  // Another workspace's repricing (the first test's) is not found.
  const other = await workspaceWithKey(p.pool, ['read']);
  const { rows } = await p.pool.query('SELECT id FROM repricings ORDER BY requested_at LIMIT 1');
  expect(rows).toHaveLength(1);
  expect((await graphqlData(p.apiUrl, other.key, `{ repricing(id: "${rows[0].id}") { id } }`)).repricing).toBeNull();
});

it('answers a query right after another process dropped the roll-up tables it knew (they are rebuilt)', async () => {
  const ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
  await addPriceOverride(p.pool, ws.workspaceId, { provider: 'anthropic', model_pattern: '^claude-', effective_from: '2026-01-01T00:00:00Z', rates: OLD });
  await ingestAndWait(p, ws, events());
  const first = await monthTotal(ws.key); // builds the partitions and caches the table list
  expect(first.rollups.length).toBeGreaterThan(0);
  const { rows } = await p.pool.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [p.env.SPENDGRAPH_ROLLUP_SCHEMA]);
  for (const { tablename } of rows) await p.pool.query(`DROP TABLE "${p.env.SPENDGRAPH_ROLLUP_SCHEMA}"."${tablename}"`);
  expect(await monthTotal(ws.key)).toEqual(first);
});
