import type { FastifyInstance } from 'fastify';
import type { Pool } from '@spendgraph/db';
import type { Redis } from '@spendgraph/queue';

async function probe(check: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000))]);
    return 'ok';
  } catch (err) {
    return (err as Error).message || 'failed';
  }
}

export function healthRoutes(app: FastifyInstance, deps: { pool: Pool; redis: Redis }) {
  // Liveness: the process serves requests.
  app.get('/health', async () => ({ status: 'ok' }));
  // Readiness: it can also accept events (Redis) and serve data (Postgres).
  app.get('/ready', async (_request, reply) => {
    const [postgres, redis] = await Promise.all([probe(() => deps.pool.query('SELECT 1')), probe(() => deps.redis.ping())]);
    const ready = postgres === 'ok' && redis === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', postgres, redis });
  });
}
