import { Worker } from 'bullmq';
import { pino } from 'pino';
import { createPool } from '@spendgraph/db';
import { createPricer } from '@spendgraph/pricing';
import {
  INGEST_QUEUE, type IngestJobData, type IngestJobResult, MAINTENANCE_QUEUE, WARM_ROLLUPS_JOB, createMaintenanceQueue,
  queuePrefix, redisConnection,
} from '@spendgraph/queue';
import { createSemanticLayer } from '@spendgraph/semantic';
import { loadConfig } from './config.ts';
import { ingestProcessor } from './processors/ingest.ts';
import { warmRollupsProcessor } from './processors/warm-rollups.ts';
import { workspacePricingLoader } from './workspace-pricing.ts';

const config = loadConfig();
const log = pino({ level: config.LOG_LEVEL, base: { app: 'worker' } });
const pool = createPool(config.DATABASE_URL, config.WORKER_CONCURRENCY + 2);
const closers: Array<() => Promise<unknown>> = [];

function startIngest() {
  const pricer = createPricer();
  const worker = new Worker<IngestJobData, IngestJobResult>(
    INGEST_QUEUE,
    ingestProcessor({ pool, pricer, workspacePricing: workspacePricingLoader(pool) }),
    {
      connection: redisConnection(config.REDIS_URL, 'worker'),
      prefix: queuePrefix(),
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_DURATION_MS,
      stalledInterval: config.WORKER_LOCK_DURATION_MS,
    },
  );
  worker.on('completed', (job, result) => log.debug({ job: job.id, ...result }, 'batch stored'));
  worker.on('failed', (job, err) => log.warn({ job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'batch failed'));
  worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));
  closers.push(() => worker.close()); // waits for active jobs; unstarted ones stay queued
  log.info({ concurrency: config.WORKER_CONCURRENCY, catalog: pricer.catalogVersion }, 'ingest worker started');
}

async function startMaintenance() {
  const semantic = await createSemanticLayer({ databaseUrl: config.DATABASE_URL });
  const queue = createMaintenanceQueue(redisConnection(config.REDIS_URL, 'worker'));
  const worker = new Worker(MAINTENANCE_QUEUE, warmRollupsProcessor({ semantic, log }), {
    connection: redisConnection(config.REDIS_URL, 'worker'),
    prefix: queuePrefix(),
    concurrency: 1,
    // Warming a large workspace's roll-ups can take minutes.
    lockDuration: 10 * 60_000,
  });
  worker.on('failed', (_job, err) => log.error({ err: err.message }, 'roll-up warming failed; the next run retries'));
  worker.on('error', (err) => log.error({ err: err.message }, 'maintenance worker error'));
  // Runs at once, then every period; one schedule however many workers start.
  if (config.ROLLUP_WARM_EVERY_MS > 0) {
    await queue.upsertJobScheduler(WARM_ROLLUPS_JOB, { every: config.ROLLUP_WARM_EVERY_MS }, { name: WARM_ROLLUPS_JOB });
  } else {
    await queue.removeJobScheduler(WARM_ROLLUPS_JOB);
  }
  closers.push(async () => {
    await worker.close();
    await queue.close();
    await semantic.close();
  });
  log.info({ every_ms: config.ROLLUP_WARM_EVERY_MS }, 'maintenance worker started');
}

if (config.WORKER_QUEUES.includes('ingest')) startIngest();
if (config.WORKER_QUEUES.includes('maintenance')) await startMaintenance();

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: finishing active jobs');
  await Promise.all(closers.map((close) => close()));
  await pool.end();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
