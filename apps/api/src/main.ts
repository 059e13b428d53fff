import { flushCompileCache } from 'node:module';
import { announce, parseEgressAllowList } from '@spendgraph/budgets';
import { createPool } from '@spendgraph/db';
import { createAlertsQueue, createIngestQueue, createMaintenanceQueue, queueInspector, redisConnection } from '@spendgraph/queue';
import { lazySemanticLayer, semanticOptions } from '@spendgraph/semantic';
import { releaseStartupMemory } from '@spendgraph/env';
import { loadConfig } from './config.ts';
import { Credentials } from './auth.ts';
import { GuardCache } from './guard/guard-cache.ts';
import { buildServer } from './server.ts';

const config = loadConfig();
const pool = createPool(config.DATABASE_URL, { max: 10, name: 'spendgraph-api' });
// Exports hold a cursor while their client reads: a pool of their own, so nothing else waits behind them.
const readUrl = config.DATABASE_READ_URL ?? config.DATABASE_URL;
const exportPool = createPool(readUrl, {
  max: config.EXPORT_POOL_SIZE, name: 'spendgraph-exports', statementTimeoutMs: config.EXPORT_STATEMENT_TIMEOUT_MS, jit: false,
});
const redis = redisConnection(config.REDIS_URL, 'producer');
redis.on('error', () => {}); // reconnects on its own; /ready reports the outage
const queue = createIngestQueue(redis);
queue.on('error', () => {});

const alerts = createAlertsQueue(redis);
const inspector = queueInspector(redis);
const maintenance = createMaintenanceQueue(redis);

// Cube is loaded by the first request that may query (server.ts): an API that only ingests never holds it.
const semantic = lazySemanticLayer({ ...semanticOptions(config.DATABASE_URL, config), readUrl: config.DATABASE_READ_URL });

// Guard checks answer from memory; the worker announces new evaluations on a pub/sub channel.
const guard = new GuardCache(pool);
const subscriber = redisConnection(config.REDIS_URL, 'worker');
subscriber.on('error', () => {}); // reconnects and resubscribes on its own; the cache also refreshes by age
void guard.follow(subscriber).catch(() => {});

// Cached credentials; revocations are heard on a connection of their own.
const credentials = new Credentials(pool, { failuresPerMinute: config.AUTH_FAILURES_PER_MINUTE });
await credentials.follow(config.DATABASE_URL);

const app = buildServer({
  pool, exportPool, redis, queue, semantic, guard, announce: (result) => announce(result, { alerts, redis }),
  bodyLimit: config.API_BODY_LIMIT_BYTES, logLevel: config.LOG_LEVEL, inspector, maintenance,
  egress: parseEgressAllowList(config.ALERT_EGRESS_ALLOW),
  credentials, sessionTtlMs: config.SESSION_TTL_HOURS * 3_600_000, operatorToken: config.OPERATOR_TOKEN,
  lockout: { maxFailures: config.SIGNIN_MAX_FAILURES, lockMs: config.SIGNIN_LOCK_MINUTES * 60_000 },
  proxyUpstreams: { openai: config.PROXY_OPENAI_UPSTREAM, anthropic: config.PROXY_ANTHROPIC_UPSTREAM },
  invitationMail: config.SMTP_URL && config.WEB_URL ? { queue: alerts, webUrl: config.WEB_URL } : undefined,
  readReplica: Boolean(config.DATABASE_READ_URL),
});
await app.listen({ host: config.API_HOST, port: config.API_PORT });
flushCompileCache(); // NODE_COMPILE_CACHE's entries written now, not only at a clean exit (ADR 0031)
// In the same turn as listen: the first request is read after the start's garbage is gone.
releaseStartupMemory();

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down: finishing in-flight requests');
  await app.close(); // stops accepting, waits for in-flight requests
  await Promise.all([queue.close(), alerts.close(), inspector.close(), maintenance.close()]);
  await semantic.close();
  await credentials.close();
  subscriber.disconnect();
  redis.disconnect();
  await Promise.all([pool.end(), exportPool.end()]);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
