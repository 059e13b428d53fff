// Job routing on a real BullMQ queue: a queue runs only the job names it carries,
// each with its own processor; any other name, or a payload that does not fit its
// schema, fails at once (UnrecoverableError), whatever attempts the job was given.
import { randomUUID } from 'node:crypto';
import { type Job, Worker } from 'bullmq';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import {
  ALL_QUEUES, APPLY_RETENTION_JOB, CHECK_BILL_VARIANCE_JOB, MAINTENANCE_QUEUE, PULL_BILLS_JOB, REPRICE_JOB, type Redis, WARM_ROLLUPS_JOB, createMaintenanceQueue, maintenanceQueue,
  redisConnection,
} from '@spendgraph/queue';
import { waitFor } from '@spendgraph/test-support/platform';
import { loadConfig } from '../src/config.ts';
import { routeJobs } from '../src/route-jobs.ts';
import { workerTable } from '../src/worker-table.ts';

const prefix = `sg-test-${randomUUID()}`;
const connections: Redis[] = [];
const connection = () => {
  const c = redisConnection(inject('redisUrl'), 'worker');
  connections.push(c);
  return c;
};
const ran: string[] = [];
const queue = () => createMaintenanceQueue(connections[0]!, { prefix });
let worker: Worker;

beforeAll(() => {
  connection();
  worker = new Worker(MAINTENANCE_QUEUE, routeJobs(maintenanceQueue, {
    [WARM_ROLLUPS_JOB]: async () => ran.push(WARM_ROLLUPS_JOB),
    [APPLY_RETENTION_JOB]: async () => ran.push(APPLY_RETENTION_JOB),
    [REPRICE_JOB]: async (job: Job) => ran.push(`${REPRICE_JOB}:${job.data.repricingId}`),
    [PULL_BILLS_JOB]: async () => ran.push(PULL_BILLS_JOB),
    [CHECK_BILL_VARIANCE_JOB]: async () => ran.push(CHECK_BILL_VARIANCE_JOB),
  }), { connection: connection(), prefix });
});
afterAll(async () => {
  await worker?.close();
  const q = queue();
  await q.obliterate({ force: true });
  await q.close();
  for (const c of connections) c.disconnect();
});

async function settled(id: string) {
  const q = queue();
  const state = await waitFor(async () => {
    const s = await q.getJobState(id);
    return ['completed', 'failed'].includes(s) && s;
  }, 15_000, `job ${id} to finish`);
  // Read the job after it settled: a copy read while it ran still says 0 attempts.
  return { job: (await q.getJob(id))!, state };
}

it('fails a job of a name its queue does not carry at once, running no processor', async () => {
  const added = await queue().add('warm-rolups', {}, { attempts: 5, backoff: { type: 'fixed', delay: 50 } });
  const { job, state } = await settled(added.id!);
  expect(state).toBe('failed');
  expect(job.attemptsMade).toBe(1);
  expect(job.failedReason).toBe('unknown job "warm-rolups" on queue "maintenance"');
  expect(ran).toEqual([]);
});

it('fails a job whose payload does not fit its name at once, naming the field', async () => {
  const added = await queue().add(REPRICE_JOB, { repricingId: 'r-1' }, { attempts: 5, backoff: { type: 'fixed', delay: 50 } });
  const { job, state } = await settled(added.id!);
  expect(state).toBe('failed');
  expect(job.attemptsMade).toBe(1);
  expect(job.failedReason).toMatch(/^invalid "reprice" job on queue "maintenance": workspaceId: /);
  expect(ran).toEqual([]);
});

it('runs each job name it carries with that name\'s processor', async () => {
  const jobs = await Promise.all([
    queue().add(WARM_ROLLUPS_JOB, {}),
    queue().add(APPLY_RETENTION_JOB, {}),
    queue().add(REPRICE_JOB, { repricingId: 'r-2', workspaceId: 'w-2' }),
  ]);
  for (const j of jobs) expect((await settled(j.id!)).state).toBe('completed');
  expect(ran.sort()).toEqual([APPLY_RETENTION_JOB, `${REPRICE_JOB}:r-2`, WARM_ROLLUPS_JOB]);
});

it('has a worker for every queue', () => {
  const table = workerTable(loadConfig({ DATABASE_URL: 'postgres://unused', REDIS_URL: 'redis://unused', WORKER_METRICS_PORT: '0' }));
  expect(table.map((s) => s.queue.name).sort()).toEqual([...ALL_QUEUES].sort());
});
