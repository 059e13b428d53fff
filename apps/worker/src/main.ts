import { Worker } from 'bullmq';
import { pino } from 'pino';
import { createPool } from '@spendgraph/db';
import { createPricer } from '@spendgraph/pricing';
import { INGEST_QUEUE, type IngestJobData, type IngestJobResult, queuePrefix, redisConnection } from '@spendgraph/queue';
import { loadConfig } from './config.ts';
import { ingestProcessor } from './processors/ingest.ts';
import { workspacePricingLoader } from './workspace-pricing.ts';

const config = loadConfig();
const log = pino({ level: config.LOG_LEVEL, base: { app: 'worker' } });
const pool = createPool(config.DATABASE_URL, config.WORKER_CONCURRENCY + 2);
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
log.info({ concurrency: config.WORKER_CONCURRENCY, catalog: pricer.catalogVersion }, 'worker started');

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: finishing active jobs');
  await worker.close(); // waits for active jobs; unstarted ones stay queued
  await pool.end();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
