// Prometheus metrics shared by the API and the worker (prom-client). Labels name
// queues, job names and routes, never workspaces; the endpoints show every tenant's
// load, so they answer only the operator (OPERATOR_TOKEN).
import { createHash, timingSafeEqual } from 'node:crypto';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_STATES, type QueueInspector } from './status.ts';

/** A registry with the process's default metrics (CPU, memory, event loop lag, GC), labelled by app. */
export function metricsRegistry(app: 'api' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry, prefix: 'spendgraph_' });
  return registry;
}

/** Queue depth by state, read from Redis at each scrape (nothing reported while Redis is down). */
export function queueDepthMetric(registry: Registry, inspector: QueueInspector) {
  new Gauge({
    name: 'spendgraph_queue_jobs',
    help: `Jobs per queue and state (${JOB_STATES.join(', ')})`,
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const queues = await inspector.queues().catch(() => []);
      for (const q of queues) for (const [state, n] of Object.entries(q.counts)) this.set({ queue: q.name, state }, n);
    },
  });
}

/** Whether `given` (a header value, "Bearer <token>" or the bare token) is the operator token; constant time. */
export function isOperator(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string' || !token) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given.replace(/^Bearer\s+/i, '')), digest(token));
}
