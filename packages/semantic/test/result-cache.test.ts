// Cube's in-process result cache within a byte budget: a huge ungrouped result is served but
// never kept, and smaller ones leave least recently used first, from Cube's own store too.
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { ByteBoundedCache, estimateBytes } from '../src/result-cache.ts';

const { LocalCacheDriver } = createRequire(import.meta.url)('@cubejs-backend/query-orchestrator/dist/src/orchestrator/LocalCacheDriver.js');

/** A query result as Cube caches it: rows of an ungrouped events query with their tags. */
const result = (rows: number, tagBytes = 500) => ({
  time: Date.now(),
  renewalKey: 'k',
  result: Array.from({ length: rows }, (_, i) => ({ 'usage.event_id': `id-${i}`, 'usage.tags': { note: 'x'.repeat(tagBytes) } })),
});

it('never keeps a result larger than an entry’s share of the budget (50,000 rows × tags)', async () => {
  const inner = new LocalCacheDriver();
  const cache = new ByteBoundedCache(inner, 8 * 1024 * 1024);
  const big = result(50_000);
  expect(estimateBytes(big.result)).toBeGreaterThan(25_000_000);
  await cache.set('SQL_QUERY_RESULT_big', big, 600);
  expect(await cache.get('SQL_QUERY_RESULT_big')).toBeUndefined();
  expect(await inner.get('SQL_QUERY_RESULT_big')).toBeUndefined();
  expect(cache.heldBytes).toBe(0);
});

it('holds results within the byte budget, least recently used first out', async () => {
  const inner = new LocalCacheDriver();
  const budget = 4 * 1024 * 1024;
  const cache = new ByteBoundedCache(inner, budget, budget);
  for (let i = 0; i < 20; i++) {
    await cache.set(`SQL_QUERY_RESULT_${i}`, result(1_000), 600); // ~540 kB each
    await cache.get('SQL_QUERY_RESULT_0'); // kept recent
    expect(cache.heldBytes).toBeLessThanOrEqual(budget);
  }
  expect(await inner.get('SQL_QUERY_RESULT_0')).toBeDefined();
  expect(await inner.get('SQL_QUERY_RESULT_1')).toBeUndefined(); // evicted from Cube's store as well
  expect(await inner.get('SQL_QUERY_RESULT_19')).toBeDefined();
  // Cube's other entries (roll-up table lists) pass through untouched.
  await cache.set('SQL_PRE_AGGREGATIONS_TABLES_default', [{ table_name: 't' }], 600);
  expect(await cache.get('SQL_PRE_AGGREGATIONS_TABLES_default')).toEqual([{ table_name: 't' }]);
  for (let i = 0; i < 20; i++) await cache.remove(`SQL_QUERY_RESULT_${i}`);
});
