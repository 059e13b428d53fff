// The API's Prometheus metrics (GET /metrics): request rate and latency per route
// (ingest, GraphQL queries, guard checks), events accepted, queue depth.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { SemanticLayer } from '@spendgraph/semantic';
import { type QueueInspector, isOperator, metricsRegistry, queueDepthMetric } from '@spendgraph/queue';

export const registry = metricsRegistry('api');

const requestDuration = new Histogram({
  name: 'spendgraph_http_request_duration_seconds',
  help: 'HTTP request latency per route, method and status (route = the route pattern, e.g. /graphql, /v1/events)',
  labelNames: ['route', 'method', 'status'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

const acceptedEvents = new Counter({
  name: 'spendgraph_ingest_events_accepted_total',
  help: 'Events answered 202: queued in Redis for the worker',
  registers: [registry],
});

export const countAccepted = (n: number) => acceptedEvents.inc(n);

/** Times every request, and serves GET /metrics to the operator (Authorization: Bearer <OPERATOR_TOKEN>). */
export function metricsRoutes(app: FastifyInstance, deps: { inspector: QueueInspector; operatorToken: string; semantic: Pick<SemanticLayer, 'readLag'>; readReplica?: boolean }) {
  queueDepthMetric(registry, deps.inspector);
  if (deps.readReplica) replicaLagMetric(deps.semantic);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requestDuration.observe({ route, method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (request, reply) => {
    if (!isOperator(request.headers.authorization, deps.operatorToken)) {
      return reply.code(401).send({ error: 'unauthorized', message: 'metrics are for the operator: send "Authorization: Bearer <OPERATOR_TOKEN>"' });
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

/** How far the read replica's answers trail the primary (DATABASE_READ_URL); absent without a replica. */
function replicaLagMetric(semantic: Pick<SemanticLayer, 'readLag'>) {
  new Gauge({
    name: 'spendgraph_read_replica_lag_seconds',
    help: 'Seconds the read replica (DATABASE_READ_URL) trails the primary: queries and exports read there; -1 when it does not answer',
    registers: [registry],
    async collect() {
      const lag = await semantic.readLag().catch(() => null);
      this.set(lag ? lag.lagMs / 1000 : -1);
    },
  });
}
