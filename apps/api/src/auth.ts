// Bearer credentials: API keys, and the web app's sessions (sgs_...). The workspace of
// every request comes from its credential, never from the payload: that is the
// tenant boundary on the write path.
//
// Lookups are cached so the ingest path does not query Postgres per request, without
// letting a revoked key work on: every process LISTENs for revocations (a trigger on
// api_keys and web_sessions) and drops its cache at once; while it cannot listen it
// does not cache. Unknown credentials are cached too (a flood of random keys costs no
// queries), and each client address gets a budget of failed attempts per minute.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import { type ApiKeyIdentity, type Pool, findApiKey, findWebSession, hashApiKey } from '@spendgraph/db';

declare module 'fastify' {
  interface FastifyRequest {
    identity?: ApiKeyIdentity;
  }
}

/** The identity of a credential; `from` is the client address that sent it (failure budget). */
export type Authenticate = (credential: string, from?: string) => Promise<ApiKeyIdentity | undefined>;

/** API keys (sg_) and web sessions (sgs_): a prefix and 32 random bytes, base64url. */
const CREDENTIAL = /^sgs?_[A-Za-z0-9_-]{43}$/;

export const REVOCATION_CHANNEL = 'spendgraph_auth_revoked';

/** Thrown when a client address used up its failed attempts: answer 429 with Retry-After. */
export class TooManyFailures extends Error {
  readonly retryAfterS: number;
  constructor(retryAfterS: number) {
    super(`too many failed authentication attempts from this address; retry in ${retryAfterS} s`);
    this.retryAfterS = retryAfterS;
  }
}

/**
 * Failed attempts per client address in fixed one-minute windows (per API process). The windows are
 * made with the first failure: lru-cache allocates room for all its entries at once (~3 MB here).
 */
class FailureBudget {
  private windows: LRUCache<string, { start: number; failures: number }> | undefined;
  private readonly perMinute: number;
  constructor(perMinute: number) {
    this.perMinute = perMinute;
  }
  private now() {
    return Date.now();
  }

  /** Throws TooManyFailures while `from` has no attempts left. */
  check(from: string) {
    const w = this.current(from);
    if (w && w.failures >= this.perMinute) throw new TooManyFailures(Math.max(1, Math.ceil((w.start + 60_000 - this.now()) / 1000)));
  }

  fail(from: string) {
    const w = this.current(from) ?? { start: this.now(), failures: 0 };
    w.failures++;
    (this.windows ??= new LRUCache({ max: 100_000 })).set(from, w);
  }

  private current(from: string) {
    const w = this.windows?.get(from);
    return w && this.now() - w.start < 60_000 ? w : undefined;
  }
}

export interface CredentialOptions {
  /** How long a known credential is trusted without asking Postgres (while revocations are heard). */
  ttlMs?: number;
  /** How long an unknown credential is remembered as unknown. */
  negativeTtlMs?: number;
  failuresPerMinute?: number;
}

/** A credential stops at its expiry, whatever the cache's lifetime: checked on every use. */
const expired = (identity: ApiKeyIdentity) => identity.expiresAt !== undefined && identity.expiresAt <= Date.now();

export class Credentials {
  private readonly known: LRUCache<string, ApiKeyIdentity>;
  /** Made with the first unknown credential (lru-cache allocates its 100,000 entries at once: ~4 MB). */
  private unknown: LRUCache<string, true> | undefined;
  private readonly negativeTtlMs: number;
  private readonly failures: FailureBudget;
  /** Bumped by every revocation: a lookup that started before one does not fill the cache. */
  private generation = 0;
  private listening = false;
  private listener: pg.Client | undefined;
  private closed = false;

  private readonly pool: Pool;
  constructor(pool: Pool, opts: CredentialOptions = {}) {
    this.pool = pool;
    this.known = new LRUCache({ max: 10_000, ttl: opts.ttlMs ?? 30_000 });
    this.negativeTtlMs = opts.negativeTtlMs ?? 60_000;
    this.failures = new FailureBudget(opts.failuresPerMinute ?? 30);
  }

  readonly authenticate: Authenticate = async (credential, from) => {
    // Not the shape of any key or session we issue: no query, but a failure all the same.
    if (!CREDENTIAL.test(credential)) {
      if (from !== undefined) this.failures.check(from), this.failures.fail(from);
      return undefined;
    }
    const hash = hashApiKey(credential).toString('base64');
    const hit = this.listening ? this.known.get(hash) : undefined;
    if (hit && !expired(hit)) return hit;
    if (hit) this.known.delete(hash); // reached its expiry while cached: asked again below, and refused
    if (from !== undefined) this.failures.check(from);
    const identity = this.unknown?.has(hash) ? undefined : await this.find(credential, hash);
    if (!identity && from !== undefined) this.failures.fail(from);
    return identity;
  };

  /** Sign-in by e-mail and password spends the same per-address budget of failures. Throws TooManyFailures. */
  checkFailures(from: string) {
    this.failures.check(from);
  }
  noteFailure(from: string) {
    this.failures.fail(from);
  }

  private async find(credential: string, hash: string) {
    const generation = this.generation;
    const identity = credential.startsWith('sgs_') ? await findWebSession(this.pool, credential) : await findApiKey(this.pool, credential);
    if (!identity || expired(identity)) {
      (this.unknown ??= new LRUCache({ max: 100_000, ttl: this.negativeTtlMs })).set(hash, true);
      return undefined;
    }
    if (this.listening && generation === this.generation) this.known.set(hash, identity);
    return identity;
  }

  private revoked() {
    this.generation++;
    this.known.clear();
  }

  /** Listens for revocations on a connection of its own; reconnects until closed. */
  async follow(databaseUrl: string): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'spendgraph-auth' });
    const lost = () => {
      if (this.listener !== client) return;
      this.listening = false;
      this.listener = undefined;
      this.revoked(); // whatever happened meanwhile is unknown: trust nothing cached
      client.end().catch(() => {});
      if (!this.closed) setTimeout(() => void this.follow(databaseUrl).catch(() => {}), 1000).unref();
    };
    this.listener = client;
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.revoked());
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      this.listening = true;
    } catch {
      lost();
    }
  }

  async close() {
    this.closed = true;
    this.listening = false;
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => {});
  }
}

/**
 * Authentication only: the bearer credential becomes request.identity (401 without a working one,
 * 429 past the failure budget, 503 while the key store is down). What the identity may do is
 * authz.ts's to decide, for every route: nothing here checks a scope.
 */
export function authenticated(authenticate: Authenticate) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return reply.code(401).send({ error: 'unauthorized', message: 'send an API key as "Authorization: Bearer <key>"' });
    }
    let identity: ApiKeyIdentity | undefined;
    try {
      identity = await authenticate(match[1]!, request.ip);
    } catch (err) {
      if (err instanceof TooManyFailures) return tooMany(reply, err);
      // The key store (Postgres) is down: the caller may retry, nothing was done.
      request.log.error({ err }, 'could not look up an API key');
      return reply.code(503).header('retry-after', '1').send({ error: 'unavailable', message: 'the key store is unavailable; retry' });
    }
    if (!identity) return reply.code(401).send({ error: 'unauthorized', message: 'unknown or revoked API key' });
    request.identity = identity;
  };
}

export function tooMany(reply: FastifyReply, err: TooManyFailures) {
  return reply.code(429).header('retry-after', String(err.retryAfterS)).send({ error: 'too_many_failures', message: err.message });
}
