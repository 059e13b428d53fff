// Credentials: a revoked key or ended session stops working at once on every API
// process, a client address that keeps failing is slowed down (429), and the web
// app's sessions act with their key's workspace and die with it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, hashApiKey, revokeApiKey } from '@spendgraph/db';
import { type Platform, graphqlRequest, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let replica: Platform; // a second API process over the same database
let limited: Platform; // AUTH_FAILURES_PER_MINUTE=5

const META = '{ meta { measures { name } } }';
const status = async (platform: Platform, key: string) => (await graphqlRequest(platform.apiUrl, key, META)).status;
const randomKey = () => `sg_${randomBytes(32).toString('base64url')}`;

beforeAll(async () => {
  p = await startPlatform({ worker: false });
  replica = await startPlatform({ worker: false });
  limited = await startPlatform({ worker: false, env: { AUTH_FAILURES_PER_MINUTE: '5' } });
}, 120_000);
afterAll(async () => {
  await Promise.all([p?.stop(), replica?.stop(), limited?.stop()]);
});

describe('revocation', () => {
  it('a revoked key is refused at once by every API process, though both had it cached', async () => {
    const ws = await workspaceWithKey(p.pool, ['read']);
    const { id, key } = await createApiKey(p.pool, ws.workspaceId, ['read'], 'soon revoked');
    for (const platform of [p, replica]) {
      expect(await status(platform, key)).toBe(200);
      expect(await status(platform, key)).toBe(200); // now cached
    }
    await revokeApiKey(p.pool, id);
    const revokedAt = Date.now();
    for (const platform of [p, replica]) {
      await waitFor(async () => (await status(platform, key)) === 401, 1000, 'the revocation to be heard');
    }
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });

  it('an unknown key stays unknown without asking the database again', async () => {
    const ws = await workspaceWithKey(p.pool, ['read']);
    const key = randomKey();
    expect(await status(p, key)).toBe(401);
    // Planted behind the API's back: the remembered answer is served, not a new lookup.
    await p.pool.query(`INSERT INTO api_keys (workspace_id, name, prefix, key_hash, scopes) VALUES ($1, 'planted', $2, $3, '{read}')`,
      [ws.workspaceId, key.slice(0, 10), hashApiKey(key)]);
    expect(await status(p, key)).toBe(401);
    expect(await status(replica, key)).toBe(200);
  });
});

describe('failed attempts', () => {
  it('an address that keeps failing is answered 429 with Retry-After, valid keys included, on every route', async () => {
    const ws = await workspaceWithKey(limited.pool, ['ingest', 'read']);
    for (let i = 0; i < 5; i++) expect(await status(limited, i % 2 ? randomKey() : 'not-a-key')).toBe(401);
    const res = await fetch(`${limited.apiUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${randomKey()}` }, body: JSON.stringify({ query: META }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await res.json()).toMatchObject({ error: 'too_many_failures' });
    expect(await status(limited, ws.key)).toBe(429);
    const events = await fetch(`${limited.apiUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' }, body: '[]' });
    expect(events.status).toBe(429);
    const proxied = await fetch(`${limited.apiUrl}/proxy/openai/v1/chat/completions`, { method: 'POST', headers: { 'x-spendgraph-key': randomKey() }, body: '{}' });
    expect(proxied.status).toBe(429);
    // Another process keeps its own count: the key itself is fine.
    expect(await status(p, ws.key)).toBe(200);
  });
});

describe('web sessions', () => {
  const open = (platform: Platform, key: string) => fetch(`${platform.apiUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  const close = (platform: Platform, session: string) => fetch(`${platform.apiUrl}/v1/sessions/current`, { method: 'DELETE', headers: { authorization: `Bearer ${session}` } });

  it('acts with its key, ends at sign-out on every process, and never reveals the key', async () => {
    const ws = await workspaceWithKey(p.pool, ['read']);
    const res = await open(p, ws.key);
    expect(res.status).toBe(201);
    const { session, expiresAt } = (await res.json()) as { session: string; expiresAt: string };
    expect(session).toMatch(/^sgs_[A-Za-z0-9_-]{43}$/);
    expect(session).not.toContain(ws.key.slice(3));
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(11 * 3_600_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(12 * 3_600_000);
    expect(await status(p, session)).toBe(200);
    expect(await status(replica, session)).toBe(200);
    expect((await open(p, session)).status).toBe(400); // sessions do not beget sessions
    expect((await close(p, session)).status).toBe(204);
    for (const platform of [p, replica]) await waitFor(async () => (await status(platform, session)) === 401, 1000, 'the sign-out to be heard');
    expect(await status(p, ws.key)).toBe(200);
  });

  it('dies with its key, and needs a key that may read', async () => {
    const ws = await workspaceWithKey(p.pool, ['read']);
    const { id, key } = await createApiKey(p.pool, ws.workspaceId, ['read']);
    const { session } = (await (await open(p, key)).json()) as { session: string };
    expect(await status(p, session)).toBe(200);
    await revokeApiKey(p.pool, id);
    await waitFor(async () => (await status(p, session)) === 401, 1000, 'the revocation to be heard');
    const ingestOnly = await workspaceWithKey(p.pool, ['ingest']);
    expect((await open(p, ingestOnly.key)).status).toBe(403);
  });
});
