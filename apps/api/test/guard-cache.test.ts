// The API's guard cache takes the statuses an evaluation announces as they come (Redis pub/sub):
// a hard stop needs no read back from the database, and an older evaluation never overrides a newer.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {} from '@spendgraph/test-support/global-setup';
import { type Budget, type BudgetStatus, type Pool, createPool, ensureWorkspace, insertBudget } from '@spendgraph/db';
import { decide, parseBudget } from '@spendgraph/budgets';
import { budgetsChangedChannel } from '@spendgraph/queue';
import { GuardCache } from '../src/guard/guard-cache.ts';

let pool: Pool;
let publisher: Redis;
let subscriber: Redis;
let cache: GuardCache;
let workspaceId: string;
let budget: Budget;

beforeAll(async () => {
  process.env.QUEUE_PREFIX = `guard-cache-${randomUUID().slice(0, 8)}`; // the channel's name carries it
  pool = createPool(inject('databaseUrl'), 2);
  workspaceId = (await ensureWorkspace(pool, `guard-cache-${randomUUID().slice(0, 8)}`)).id;
  const parsed = parseBudget({ name: 'coder daily', period: 'daily', amount: '5', mode: 'hard', scope: [{ member: 'agent', values: ['coder'] }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  budget = await insertBudget(pool, workspaceId, parsed.fields);
  publisher = new Redis(inject('redisUrl'));
  subscriber = new Redis(inject('redisUrl'));
  cache = new GuardCache(pool, 3_600_000); // no background reload during the test
  await cache.follow(subscriber);
});
afterAll(async () => {
  publisher?.disconnect();
  subscriber?.disconnect();
  await pool?.end();
});

const status = (spend: string, asOf: string): BudgetStatus => ({
  budgetId: budget.id, workspaceId, asOf, periodKey: 'lifetime', periodStart: null, periodEnd: null, amount: '5', spend,
  projectedSpend: null, projectedCrossingAt: null, reached: [],
});
const allows = async () => decide(await cache.indexOf(workspaceId), new Map([['agent', 'coder']]), new Date()).allow;

/** Publishes, then waits for the cache to answer `allow` (the message is handled asynchronously). */
async function publishUntil(message: string, allow: boolean) {
  await publisher.publish(budgetsChangedChannel(), message);
  for (let i = 0; i < 200 && (await allows()) !== allow; i++) await new Promise((r) => setTimeout(r, 25));
}

it('denies on an announced status over the limit that the database does not hold yet, and keeps the newest', async () => {
  expect(await allows()).toBe(true); // loaded: no status stored
  await publishUntil(JSON.stringify({ workspaceId, statuses: [status('6', '2026-12-03T10:00:00.000Z')] }), false);
  expect(await allows()).toBe(false);
  // An older evaluation announced late changes nothing; a newer one under the limit allows again.
  await publisher.publish(budgetsChangedChannel(), JSON.stringify({ workspaceId, statuses: [status('1', '2026-12-03T09:00:00.000Z')] }));
  await publishUntil(JSON.stringify({ workspaceId, statuses: [status('2', '2026-12-03T11:00:00.000Z')] }), true);
  expect(await allows()).toBe(true);
  // Reading budgets and statuses back from the database (as on a bare workspace id) keeps announced ones it has not seen.
  await cache.reload(workspaceId);
  expect((await cache.indexOf(workspaceId)).byValue.get('agent\0coder')?.[0]?.asOf).toBe('2026-12-03T11:00:00.000Z');
});
