// People, sessions, invitations, managed keys and the audit log, through the real API and database.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMembership, createApiKey, createUser, ensureWorkspace, findUserByEmail, setPassword } from '@spendgraph/db';
import { type Platform, graphqlData, graphqlRequest, postEvents, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { TEST_PASSWORD, person, signIn, workspaceWithPeople } from '@spendgraph/test-support/people';

let p: Platform;
beforeAll(async () => {
  p = await startPlatform({ worker: false, env: { SIGNIN_MAX_FAILURES: '3', SIGNIN_LOCK_MINUTES: '10' } });
}, 120_000);
afterAll(async () => p?.stop());

const ME = '{ me { workspaceId role person { email } permissions workspaces { slug role } } }';
const oneCall = () => [{ id: randomUUID(), occurred_at: new Date().toISOString(), provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: 1 } }];
const ingest = async (key: string) => (await postEvents(p.apiUrl, key, oneCall())).status;
const status = async (session: string) => (await graphqlRequest(p.apiUrl, session, ME)).status;

describe('the model', () => {
  it('stores argon2id hashes, and an e-mail once whatever its case', async () => {
    const someone = await person(p.pool);
    const { rows } = await p.pool.query('SELECT password_hash FROM users WHERE id = $1', [someone.id]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$/);
    await expect(createUser(p.pool, { email: someone.email.toUpperCase(), password: TEST_PASSWORD })).rejects.toMatchObject({ code: '23505' });
    expect((await findUserByEmail(p.pool, someone.email.toUpperCase()))?.id).toBe(someone.id);
  });

  it('gives every workspace an organization', async () => {
    const ws = await ensureWorkspace(p.pool, `t-org-${Date.now()}`);
    const { rows } = await p.pool.query('SELECT o.slug FROM workspaces w JOIN organizations o ON o.id = w.organization_id WHERE w.id = $1', [ws.id]);
    expect(rows).toEqual([{ slug: ws.slug }]);
  });

  it('keeps the audit log append-only, whoever asks', async () => {
    await p.pool.query(`INSERT INTO audit_log (action) VALUES ('test')`);
    await expect(p.pool.query(`UPDATE audit_log SET action = 'changed'`)).rejects.toThrow(/append-only/);
    await expect(p.pool.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(p.pool.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  });
});

describe('signing in', () => {
  it('opens a session acting with the role, rotates on sign-in, and ends at sign-out', async () => {
    const team = await workspaceWithPeople(p.pool, p.apiUrl);
    const { members } = team;
    const me = (await graphqlData(p.apiUrl, members.analyst.session, ME)).me;
    expect(me).toMatchObject({ workspaceId: team.workspaceId, role: 'analyst', person: { email: members.analyst.email } });
    expect(me.permissions).toContain('budgets:manage');
    expect(me.permissions).not.toContain('keys:manage');
    // Signing in again with the old session presented ends it.
    const again = await signIn(p.apiUrl, members.analyst.email, TEST_PASSWORD, {}, { authorization: `Bearer ${members.analyst.session}` });
    expect(again.status).toBe(201);
    const fresh = ((await again.json()) as { session: string }).session;
    expect(fresh).not.toBe(members.analyst.session);
    await waitFor(async () => (await status(members.analyst.session)) === 401, 1000, 'the replaced session to end');
    expect(await status(fresh)).toBe(200);
    const out = await fetch(`${p.apiUrl}/v1/sessions/current`, { method: 'DELETE', headers: { authorization: `Bearer ${fresh}` } });
    expect(out.status).toBe(204);
    await waitFor(async () => (await status(fresh)) === 401, 1000, 'the session to end');
  });

  it('refuses a wrong password alike for unknown and known e-mails, and names a bad field', async () => {
    const someone = await person(p.pool);
    for (const email of [someone.email, 'nobody@example.test']) {
      const res = await signIn(p.apiUrl, email, 'wrong password!');
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'unauthorized', message: 'wrong e-mail or password' });
    }
    const bad = await signIn(p.apiUrl, 'x@example.test', undefined, { password: 42 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'password' });
  });

  it('locks an account after repeated failures, even for the right password, until the lock ends', async () => {
    const someone = await person(p.pool);
    const ws = await ensureWorkspace(p.pool, `t-lock-${Date.now()}`);
    await addMembership(p.pool, { userId: someone.id, workspaceId: ws.id, role: 'viewer' });
    expect((await signIn(p.apiUrl, someone.email, 'wrong 1')).status).toBe(401);
    expect((await signIn(p.apiUrl, someone.email, 'wrong 2')).status).toBe(401);
    const third = await signIn(p.apiUrl, someone.email, 'wrong 3');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(500);
    const right = await signIn(p.apiUrl, someone.email);
    expect(right.status).toBe(429);
    expect(await right.json()).toMatchObject({ error: 'locked' });
    await p.pool.query(`UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1`, [someone.id]);
    expect((await signIn(p.apiUrl, someone.email)).status).toBe(201);
  });

  it('ends every session of a person when the password changes', async () => {
    const team = await workspaceWithPeople(p.pool, p.apiUrl);
    const { viewer } = team.members;
    expect(await status(viewer.session)).toBe(200);
    await setPassword(p.pool, viewer.userId, 'a brand new password');
    await waitFor(async () => (await status(viewer.session)) === 401, 1000, 'the session to end');
    expect((await signIn(p.apiUrl, viewer.email)).status).toBe(401);
    expect((await signIn(p.apiUrl, viewer.email, 'a brand new password')).status).toBe(201);
  });
});

describe('members', () => {
  it('invites by link; the invited person accepts, acts with the role, and the steps are audited', async () => {
    const team = await workspaceWithPeople(p.pool, p.apiUrl);
    const { owner, admin } = team.members;
    const email = `invited-${Date.now()}@example.test`;
    const link = (await graphqlData(p.apiUrl, admin.session, `mutation { inviteMember(email: "${email}", role: viewer) { token invitation { id email role expiresAt } } }`)).inviteMember;
    expect(link.invitation).toMatchObject({ email, role: 'viewer' });
    const accept = (body: Record<string, unknown>) => fetch(`${p.apiUrl}/v1/invitations/accept`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect((await accept({ token: link.token, password: 'short' })).status).toBe(400);
    const accepted = await accept({ token: link.token, password: TEST_PASSWORD, name: 'Invited' });
    expect(accepted.status).toBe(201);
    const { session, role } = (await accepted.json()) as { session: string; role: string };
    expect(role).toBe('viewer');
    expect((await accept({ token: link.token, password: TEST_PASSWORD })).status).toBe(404); // one use
    const viewerMe = (await graphqlData(p.apiUrl, session, ME)).me;
    expect(viewerMe).toMatchObject({ role: 'viewer', workspaceId: team.workspaceId });
    const denied = await graphqlRequest(p.apiUrl, session, 'mutation { createBudget(input: { name: "x", period: daily, amount: "1", wholeWorkspace: true }) { id } }');
    expect(denied.body.errors[0].extensions.code).toBe('FORBIDDEN');

    // An admin cannot make owners; an owner can; the last owner stays.
    const invitedId = viewerMe.person ? (await findUserByEmail(p.pool, email))!.id : '';
    const byAdmin = await graphqlRequest(p.apiUrl, admin.session, `mutation { changeMemberRole(userId: "${invitedId}", role: owner) { role } }`);
    expect(byAdmin.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await graphqlData(p.apiUrl, owner.session, `mutation { changeMemberRole(userId: "${invitedId}", role: analyst) { role } }`)).changeMemberRole).toEqual({ role: 'analyst' });
    const lastOwner = await graphqlRequest(p.apiUrl, owner.session, `mutation { removeMember(userId: "${owner.userId}") }`);
    expect(lastOwner.body.errors[0].extensions.code).toBe('LAST_OWNER');
    expect((await graphqlData(p.apiUrl, admin.session, `mutation { removeMember(userId: "${invitedId}") }`)).removeMember).toBe(true);
    await waitFor(async () => (await status(session)) === 401, 1000, 'the removed member\'s session to end');

    const log = (await graphqlData(p.apiUrl, owner.session, '{ auditLog { action actorUserId targetType targetId before after } }')).auditLog;
    expect(log.map((e: any) => e.action)).toEqual(['removeMember', 'changeMemberRole', 'acceptInvitation', 'inviteMember']);
    const change = log[1];
    expect(change).toMatchObject({ actorUserId: owner.userId, targetType: 'member', targetId: invitedId });
    expect(JSON.parse(change.before).role).toBe('viewer');
    expect(JSON.parse(change.after).role).toBe('analyst');
    expect(JSON.stringify(log)).not.toContain(link.token);
  });
});

describe('API keys', () => {
  it('made by a person: listed without the key, used (lastUsedAt), rotated with an overlap, revoked; audited without secrets', async () => {
    const team = await workspaceWithPeople(p.pool, p.apiUrl);
    const { admin, analyst } = team.members;
    const made = (await graphqlData(p.apiUrl, admin.session,
      'mutation { createApiKey(input: { name: "collector", scopes: [ingest], restriction: [{ dimension: "agent", value: "nightly" }] }) { key apiKey { id prefix scopes restriction { dimension value } createdBy { email } active } } }')).createApiKey;
    expect(made.apiKey).toMatchObject({ scopes: ['ingest'], restriction: [{ dimension: 'agent', value: 'nightly' }], createdBy: { email: admin.email }, active: true });
    expect(made.key.startsWith(made.apiKey.prefix)).toBe(true);
    expect((await ingest(made.key))).toBe(202);
    const listed = (await graphqlData(p.apiUrl, admin.session, '{ apiKeys { id lastUsedAt } }')).apiKeys;
    expect(listed.find((k: any) => k.id === made.apiKey.id).lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(made.key);

    const bad = await graphqlRequest(p.apiUrl, admin.session, 'mutation { createApiKey(input: { name: " ", scopes: [read] }) { key } }');
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    const byAnalyst = await graphqlRequest(p.apiUrl, analyst.session, 'mutation { createApiKey(input: { name: "x", scopes: [read] }) { key } }');
    expect(byAnalyst.body.errors[0].extensions.code).toBe('FORBIDDEN');

    // Rotation without overlap: the new key works, the old one stops.
    const rotated = (await graphqlData(p.apiUrl, admin.session, `mutation { rotateApiKey(id: "${made.apiKey.id}", overlapHours: 0) { key apiKey { id scopes } } }`)).rotateApiKey;
    expect(rotated.apiKey.scopes).toEqual(['ingest']);
    expect((await ingest(rotated.key))).toBe(202);
    await waitFor(async () => (await ingest(made.key)) === 401, 1000, 'the rotated key to stop');
    // With an overlap both work.
    const again = (await graphqlData(p.apiUrl, admin.session, `mutation { rotateApiKey(id: "${rotated.apiKey.id}", overlapHours: 1) { key apiKey { id } } }`)).rotateApiKey;
    expect((await ingest(rotated.key))).toBe(202);
    expect((await ingest(again.key))).toBe(202);
    await graphqlData(p.apiUrl, admin.session, `mutation { revokeApiKey(id: "${again.apiKey.id}") { revokedAt } }`);
    await waitFor(async () => (await ingest(again.key)) === 401, 1000, 'the revoked key to stop');

    const log = (await graphqlData(p.apiUrl, admin.session, '{ auditLog(filter: { targetType: "api_key" }) { action before after } }')).auditLog;
    expect(log.map((e: any) => e.action)).toEqual(['revokeApiKey', 'rotateApiKey', 'rotateApiKey', 'createApiKey']);
    for (const secret of [made.key, rotated.key, again.key]) expect(JSON.stringify(log)).not.toContain(secret);
    expect(JSON.stringify(log)).not.toContain('key_hash');
  });

  it('an existing key is an admin key: it manages keys, and its changes are audited with the key as actor', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
    const { rows } = await p.pool.query('SELECT id FROM api_keys WHERE workspace_id = $1', [ws.workspaceId]);
    const keys = (await graphqlData(p.apiUrl, ws.key, '{ apiKeys { id name } }')).apiKeys;
    expect(keys.map((k: any) => k.id)).toEqual([rows[0].id]);
    const budget = (await graphqlData(p.apiUrl, ws.key, 'mutation { createBudget(input: { name: "b", period: daily, amount: "5", wholeWorkspace: true }) { id } }')).createBudget;
    await graphqlData(p.apiUrl, ws.key, `mutation { pauseBudget(id: "${budget.id}") { id } }`);
    const log = (await graphqlData(p.apiUrl, ws.key, '{ auditLog { action actorKeyId actorUserId targetId before after } }')).auditLog;
    expect(log.map((e: any) => e.action)).toEqual(['pauseBudget', 'createBudget']);
    expect(log[0]).toMatchObject({ actorKeyId: rows[0].id, actorUserId: null, targetId: budget.id });
    expect(JSON.parse(log[0].before).paused).toBe(false);
    expect(JSON.parse(log[0].after).paused).toBe(true);
    expect(log[1].before).toBeNull();
    expect(JSON.parse(log[1].after).name).toBe('b');
    const readOnly = await createApiKey(p.pool, ws.workspaceId, ['read']);
    const refused = await graphqlRequest(p.apiUrl, readOnly.key, '{ auditLog { id } }');
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('the audit log export', () => {
  it('answers JSON and CSV with filters, and names a bad parameter', async () => {
    const ws = await workspaceWithKey(p.pool, ['read', 'admin']);
    await graphqlData(p.apiUrl, ws.key, 'mutation { createBudget(input: { name: "=HYPERLINK(1)", period: daily, amount: "5", wholeWorkspace: true }) { id } }');
    await graphqlData(p.apiUrl, ws.key, 'mutation { setRawRetention(days: 400) { rawRetentionDays } }');
    const get = (q: string) => fetch(`${p.apiUrl}/v1/audit-log?${q}`, { headers: { authorization: `Bearer ${ws.key}` } });
    const json = await (await get('format=json&action=setRawRetention')).json() as any[];
    expect(json.map((e: any) => e.action)).toEqual(['setRawRetention']);
    expect(json[0].after.raw_retention_days).toBe(400);
    const csv = await get('format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    expect(text.split('\n')[0]).toBe('id,occurredAt,action,actorUserId,actorKeyId,actorLabel,targetType,targetId,before,after');
    expect(text).toContain('setRawRetention');
    expect(text).toContain('createBudget');
    const bad = await get('since=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'since' });
  });
});
