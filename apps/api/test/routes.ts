// The routes the API registers, read from a server built in this process (it serves nothing):
// suites that cover every route (fuzz, the authorization matrix) need no list of their own.
import { createPool } from '@spendgraph/db';
import { createIngestQueue, createMaintenanceQueue, queueInspector, redisConnection } from '@spendgraph/queue';
import { lazySemanticLayer } from '@spendgraph/semantic';
import { parseEgressAllowList } from '@spendgraph/budgets';
import { Credentials } from '../src/auth.ts';
import { GuardCache } from '../src/guard/guard-cache.ts';
import { buildServer } from '../src/server.ts';

export async function registeredRoutes(env: NodeJS.ProcessEnv) {
  const pool = createPool(env.DATABASE_URL!, 1);
  const redis = redisConnection(env.REDIS_URL!, 'producer');
  const semantic = lazySemanticLayer({ databaseUrl: env.DATABASE_URL! });
  const queue = createIngestQueue(redis);
  const maintenance = createMaintenanceQueue(redis);
  const inspector = queueInspector(redis);
  const app = buildServer({
    pool, exportPool: pool, redis, queue, semantic, guard: new GuardCache(pool), announce: async () => {}, bodyLimit: 1024, logLevel: 'silent',
    proxyUpstreams: { openai: 'http://127.0.0.1:9', anthropic: 'http://127.0.0.1:9' }, inspector, maintenance,
    egress: parseEgressAllowList(undefined), credentials: new Credentials(pool), operatorToken: 'x'.repeat(32), sessionTtlMs: 3_600_000,
  });
  await app.ready();
  const routes = [...app.routeTable];
  await app.close();
  await Promise.all([queue.close(), maintenance.close(), inspector.close(), semantic.close()]);
  redis.disconnect();
  await pool.end();
  return routes;
}
