// The worker's Prometheus metrics and its /metrics endpoint (WORKER_METRICS_PORT),
// plus the record of scheduled runs that the API's systemStatus reads.
import { createServer } from 'node:http';
import type { Job, Worker } from 'bullmq';
import { Counter, Histogram, type Registry } from 'prom-client';
import { INGEST_QUEUE, type Redis, isOperator, recordScheduledRun } from '@spendgraph/queue';
import type { Logger } from 'pino';

export function jobObserver(registry: Registry, redis: Redis, log: Logger) {
  const duration = new Histogram({
    name: 'spendgraph_job_duration_seconds',
    help: 'Time from a job starting to it finishing, per queue, job name and outcome',
    labelNames: ['queue', 'job', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [registry],
  });
  const jobs = new Counter({ name: 'spendgraph_jobs_total', help: 'Finished jobs per queue, job name and outcome (failed counts every failed attempt)', labelNames: ['queue', 'job', 'outcome'], registers: [registry] });
  const events = new Counter({ name: 'spendgraph_ingested_events_total', help: 'Events the ingest worker processed: inserted, skipped as already stored, or dead-lettered', labelNames: ['result'], registers: [registry] });

  const finished = (queue: string, job: Job, outcome: 'ok' | 'failed', error?: string) => {
    const ms = (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now());
    duration.observe({ queue, job: job.name, outcome }, ms / 1000);
    jobs.inc({ queue, job: job.name, outcome });
    if (job.repeatJobKey) {
      const run = { at: new Date().toISOString(), ms, ...(error ? { error } : {}) };
      recordScheduledRun(redis, queue, job.repeatJobKey, outcome, run).catch((err) => log.warn({ err: err.message, queue }, 'could not record a scheduled run'));
    }
  };
  return (queue: string, worker: Worker) => {
    worker.on('completed', (job, result) => {
      finished(queue, job, 'ok');
      if (queue === INGEST_QUEUE && result) {
        events.inc({ result: 'inserted' }, result.inserted);
        events.inc({ result: 'duplicate' }, result.duplicates);
        if (result.deadLettered) events.inc({ result: 'dead_lettered' }, result.deadLettered);
      }
    });
    worker.on('failed', (job, err) => job && finished(queue, job, 'failed', err.message));
  };
}

/** GET /metrics on its own port, for the operator (Bearer OPERATOR_TOKEN); resolves once listening. Returns the close function. */
export async function serveMetrics(registry: Registry, host: string, port: number, operatorToken: string): Promise<() => Promise<void>> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found: GET /metrics\n');
      return;
    }
    if (!isOperator(req.headers.authorization, operatorToken)) {
      res.writeHead(401).end('metrics are for the operator: send "Authorization: Bearer <OPERATOR_TOKEN>"\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err) => res.writeHead(500).end(`metrics failed: ${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  return () => new Promise((resolve) => server.close(() => resolve()));
}
