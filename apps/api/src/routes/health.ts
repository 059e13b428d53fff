import type { FastifyInstance } from 'fastify';
import type { Pool } from '@spendgraph/db';
import type { Redis } from '@spendgraph/queue';

type Probe = 'ok' | 'unavailable';

/** ok or unavailable, nothing more: an error's text (addresses, versions) is for the logs, not for callers. */
async function probe(check: () => Promise<unknown>): Promise<Probe> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), 2000)))]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(app: FastifyInstance, deps: { pool: Pool; redis: Redis }) {
  // Liveness: the process serves requests.
  app.get('/health', async () => ({ status: 'ok' }));
  // Readiness: it can also accept events (Redis) and serve data (Postgres).
  app.get('/ready', async (_request, reply) => {
    const [postgres, redis] = await Promise.all([probe(() => deps.pool.query('SELECT 1')), probe(() => deps.redis.ping())]);
    const ready = postgres === 'ok' && redis === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', postgres, redis });
  });
}
