import Fastify, { type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import type { Queue } from 'bullmq';
import { DEFAULT_LOCKOUT, type LockoutPolicy, type Pool } from '@spendgraph/db';
import type { IngestJobData, IngestJobResult, QueueInspector, Redis } from '@spendgraph/queue';
import type { EgressPolicy, EvaluationResult } from '@spendgraph/budgets';
import type { LazySemanticLayer, SemanticLayer } from '@spendgraph/semantic';
import type { Credentials } from './auth.ts';
import { graphqlRoutes } from './graphql/index.ts';
import type { GuardCache } from './guard/guard-cache.ts';
import { eventsRoutes } from './routes/events.ts';
import { exportRoutes } from './routes/exports.ts';
import { guardRoutes } from './routes/guard.ts';
import { workRoutes } from './routes/work.ts';
import { healthRoutes } from './routes/health.ts';
import { otlpRoutes } from './routes/otlp.ts';
import { type ProxyUpstreams, proxyRoutes } from './routes/proxy.ts';
import { strictUtf8Json } from './utf8-body.ts';
import { metricsRoutes } from './metrics.ts';
import { embedRoutes } from './routes/embeds.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { peopleRoutes } from './routes/people.ts';
import { ssoRoutes } from './routes/sso.ts';
import { SecretBox } from './sso/secret-box.ts';
import { firstRunRoutes } from './routes/first-run.ts';
import { billRoutes } from './routes/bills.ts';
import { revenueRoutes } from './routes/revenue.ts';
import { costPoolRoutes } from './routes/cost-pools.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { callbackRoutes } from './routes/callbacks.ts';
import { authorizeRoutes } from './authz.ts';
import { databaseClientError, isDatabaseBusy } from './client-errors.ts';
import { ExportSlots } from './exports/slots.ts';
import { ApiError } from './query/errors.ts';
import type { InvitationMail } from './people/invitation-mail.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (method, url): the fuzz suite covers each without a list of its own. */
    routeTable: Array<{ method: string; url: string }>;
  }
}

export interface ApiDeps {
  pool: Pool;
  /** Exports' own pool: their cursors live as long as their clients read. */
  exportPool: Pool;
  redis: Redis;
  queue: Queue<IngestJobData, IngestJobResult>;
  /** Cube, loaded by the first request that may query (needsSemanticLayer). */
  semantic: LazySemanticLayer;
  guard: GuardCache;
  announce: (result: EvaluationResult) => Promise<void>;
  bodyLimit: number;
  logLevel: string;
  proxyUpstreams: ProxyUpstreams;
  /** Queue counts and scheduled runs: /metrics and systemStatus. */
  inspector: QueueInspector;
  /** Where repricing jobs go. */
  maintenance: Queue;
  egress: EgressPolicy;
  /** API keys and web sessions, cached and revoked at once (auth.ts). */
  credentials: Credentials;
  /** The operator's secret: /metrics and the system-wide fields of systemStatus. */
  operatorToken: string;
  /** Lifetime of a web session (POST /v1/sessions). */
  sessionTtlMs: number;
  /** Queries and exports read from a streaming replica (DATABASE_READ_URL): answers say how current they are. */
  readReplica?: boolean;
  /** Wrong passwords in a row that lock an account, and for how long (default DEFAULT_LOCKOUT). */
  lockout?: LockoutPolicy;
  /** Where invitation e-mails are queued, and the web app's address; unset, invitations are not e-mailed. */
  invitationMail?: InvitationMail | undefined;
}

/** Exports read from the replica: their answers carry how current it was when they started. */
function replicaAsOf(app: FastifyInstance, semantic: SemanticLayer) {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/exports')) return;
    const lag = await semantic.readLag().catch(() => undefined);
    if (lag) reply.header('x-spendgraph-as-of', lag.asOf).header('x-spendgraph-replica-lag-ms', String(lag.lagMs));
  });
}

/**
 * Routes that never read the semantic layer: ingest, health and the API's description. Every other
 * route may query or name the model's members (meta()), so it waits for Cube to be loaded first;
 * a process that only ingests never loads it (~140 MB of RSS).
 */
const WITHOUT_SEMANTIC_LAYER = new Set([
  '/health', '/ready', '/metrics', '/openapi.json', '/reference', '/reference/', '/reference/js/scalar.js',
  '/v1/events', '/api/v1/events', '/v1/traces', '/v1/callbacks/litellm', '/v1/callbacks/helicone/:token',
]);

function loadSemanticLayerFirst(app: FastifyInstance, semantic: LazySemanticLayer) {
  app.addHook('onRequest', async (request) => {
    const { url } = request.routeOptions;
    if (semantic.loaded || url === undefined || WITHOUT_SEMANTIC_LAYER.has(url)) return;
    await semantic.ready();
  });
}

/** A refused request as REST answers it: the code, the parameter at fault and what to fix. */
function sendApiError(reply: FastifyReply, err: ApiError) {
  if (err.code === 'RATE_LIMITED') {
    return reply.code(429).header('retry-after', String(err.extra.retryAfterSeconds ?? 1)).send({ error: 'rate_limited', message: err.message });
  }
  return reply.code(err.status).send({ error: 'invalid_request', code: err.code, ...(err.field === undefined ? {} : { field: err.field }), message: err.message });
}

export function buildServer(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    bodyLimit: deps.bodyLimit,
    logger: { level: deps.logLevel },
    // A line per request only when debugging: at thousands of requests a second they would be the load.
    logController: new LogController({ disableRequestLogging: deps.logLevel !== 'debug' && deps.logLevel !== 'trace' }),
  });
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: r.url });
  });
  authorizeRoutes(app, deps.pool); // every route declares its permission (authz.ts)
  // Every error leaves as JSON with a message that says what to fix, and never the database's or a stack's text.
  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    if (err instanceof ApiError) return sendApiError(reply, err);
    const db = databaseClientError(err) ?? (isDatabaseBusy(err) ? { status: 503, code: 'UNAVAILABLE', message: 'the database is busy; retry' } : undefined);
    if (db) {
      if (db.status >= 500) reply.header('retry-after', '1');
      return reply.code(db.status).send({ error: db.code.toLowerCase(), message: db.message });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ err }, 'request failed');
    reply.code(status).send({ error: status >= 500 ? 'internal' : 'invalid_request', message: status >= 500 ? 'internal error' : err.message });
  });
  strictUtf8Json(app);
  loadSemanticLayerFirst(app, deps.semantic);
  const { authenticate } = deps.credentials;
  metricsRoutes(app, deps);
  healthRoutes(app, deps);
  openApiRoutes(app);
  eventsRoutes(app, { authenticate, queue: deps.queue });
  otlpRoutes(app, { authenticate, queue: deps.queue });
  callbackRoutes(app, { authenticate, queue: deps.queue });
  proxyRoutes(app, { authenticate, queue: deps.queue, guard: deps.guard, semantic: deps.semantic, upstreams: deps.proxyUpstreams });
  guardRoutes(app, { authenticate, guard: deps.guard, semantic: deps.semantic });
  workRoutes(app, { authenticate, pool: deps.pool });
  billRoutes(app, { authenticate, pool: deps.pool, maintenance: deps.maintenance });
  revenueRoutes(app, { authenticate, pool: deps.pool });
  costPoolRoutes(app, { authenticate, pool: deps.pool });
  const slots = new ExportSlots();
  exportRoutes(app, { authenticate, pool: deps.exportPool, semantic: deps.semantic, redis: deps.redis, slots });
  embedRoutes(app, { semantic: deps.semantic, pool: deps.pool });
  const signIn = { credentials: deps.credentials, pool: deps.pool, ttlMs: deps.sessionTtlMs, lockout: deps.lockout ?? DEFAULT_LOCKOUT };
  const secrets = new SecretBox(deps.operatorToken);
  sessionRoutes(app, signIn);
  peopleRoutes(app, signIn);
  firstRunRoutes(app, signIn);
  ssoRoutes(app, { ...signIn, secrets });
  app.register((instance) => graphqlRoutes(instance, {
    authenticate, pool: deps.pool, exportPool: deps.exportPool, slots, semantic: deps.semantic, guard: deps.guard, announce: deps.announce, redis: deps.redis,
    inspector: deps.inspector, maintenance: deps.maintenance, egress: deps.egress, operatorToken: deps.operatorToken, ingest: deps.queue, secrets,
    invitationMail: deps.invitationMail, readReplica: deps.readReplica,
  }));
  if (deps.readReplica) replicaAsOf(app, deps.semantic);
  return app;
}
