// Redis connections of producers and workers, and the key prefix every queue shares.
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

/** Key prefix of every queue; tests and benchmarks use their own to stay apart. */
export function queuePrefix(): string {
  return process.env.QUEUE_PREFIX ?? 'spendgraph';
}

/**
 * Workers need blocking commands that wait for Redis to come back
 * (maxRetriesPerRequest: null). Producers must instead fail fast, so the API
 * can answer 503 rather than hold (and possibly lose) a request it cannot queue.
 */
export function redisConnection(url: string, role: 'producer' | 'worker', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    ...(role === 'worker' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
    ...extra,
  });
}
