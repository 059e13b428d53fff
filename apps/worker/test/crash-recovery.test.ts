// A worker killed with SIGKILL in the middle of the work loses nothing and
// double-counts nothing: its locked jobs are redelivered and re-inserted rows skipped.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Platform, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
beforeAll(async () => {
  p = await startPlatform({ worker: false });
});
afterAll(async () => {
  await p?.stop();
});

it('stores every accepted event exactly once across a worker crash', async () => {
  const { workspaceId, key } = await workspaceWithKey(p.pool);
  const batches = 30;
  const perBatch = 2_000;
  let accepted = 0;
  for (let b = 0; b < batches; b++) {
    const events = Array.from({ length: perBatch }, (_, i) => ({
      id: randomUUID(),
      occurred_at: new Date(Date.UTC(2026, 9, 1) + (b * perBatch + i) * 1000).toISOString(),
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { input_tokens: 100 + i, output_tokens: 10 },
    }));
    const res = await postEvents(p.apiUrl, key, events);
    expect(res.status).toBe(202);
    accepted += ((await res.json()) as { accepted: number }).accepted;
  }

  const victim = p.startWorker({ WORKER_CONCURRENCY: '4' });
  await waitFor(async () => (await storedCount(p.pool, workspaceId)) > 0, 30_000, 'the first rows');
  victim.kill('SIGKILL');
  await new Promise((r) => victim.once('exit', r));
  const atCrash = await storedCount(p.pool, workspaceId);
  expect(atCrash).toBeLessThan(accepted); // the crash did interrupt the work

  p.startWorker();
  await waitFor(async () => (await storedCount(p.pool, workspaceId)) >= accepted, 60_000, 'every event after the restart');
  await new Promise((r) => setTimeout(r, 3_000)); // redelivered jobs finish; none may add rows
  const { rows } = await p.pool.query(
    'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS ids FROM usage_events WHERE workspace_id = $1',
    [workspaceId],
  );
  expect(rows[0]).toEqual({ n: accepted, ids: accepted });
});
