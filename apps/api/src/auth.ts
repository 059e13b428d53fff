// Bearer API keys. The workspace of every request comes from its key, never
// from the payload: that is the tenant boundary on the write path.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { type ApiKeyIdentity, type ApiKeyScope, type Pool, findApiKey } from '@spendgraph/db';

declare module 'fastify' {
  interface FastifyRequest {
    identity?: ApiKeyIdentity;
  }
}

export type Authenticate = (key: string) => Promise<ApiKeyIdentity | undefined>;

/** Key lookups cached briefly so the ingest path does not query Postgres per request. */
export function cachedKeyLookup(pool: Pool, ttlMs = 30_000): Authenticate {
  const cache = new LRUCache<string, ApiKeyIdentity | false>({ max: 10_000, ttl: ttlMs });
  return async (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit || undefined;
    const identity = await findApiKey(pool, key);
    cache.set(key, identity ?? false);
    return identity;
  };
}

export function requireScope(authenticate: Authenticate, scopes: ApiKeyScope[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return reply.code(401).send({ error: 'unauthorized', message: 'send an API key as "Authorization: Bearer <key>"' });
    }
    let identity: ApiKeyIdentity | undefined;
    try {
      identity = await authenticate(match[1]!);
    } catch (err) {
      // The key store (Postgres) is down: the caller may retry, nothing was done.
      request.log.error({ err }, 'could not look up an API key');
      return reply.code(503).header('retry-after', '1').send({ error: 'unavailable', message: 'the key store is unavailable; retry' });
    }
    if (!identity) return reply.code(401).send({ error: 'unauthorized', message: 'unknown or revoked API key' });
    if (!identity.scopes.some((s) => scopes.includes(s))) {
      return reply.code(403).send({ error: 'forbidden', message: `this key lacks the ${scopes.join(' or ')} scope` });
    }
    request.identity = identity;
  };
}
