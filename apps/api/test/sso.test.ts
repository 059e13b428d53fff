// OpenID Connect SSO end to end through the real API and database, against a real OpenID
// provider on loopback (oidc-provider): the organization's connection settings, the whole
// authorization code flow with PKCE, state and nonce, just-in-time membership, and each refusal.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestIdp, signInAt, startOidcProvider } from '@spendgraph/test-support/oidc-provider';
import { workspaceWithPeople } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, graphqlRequest, startPlatform } from '@spendgraph/test-support/platform';

const CALLBACK = 'http://127.0.0.1:9/signin/sso/callback'; // the web app's; never fetched here
const DOMAIN = `sso-${randomUUID().slice(0, 8)}.test`;
const SET = `mutation($input: SsoConnectionInput!) { setSsoConnection(input: $input) {
  organizationId issuer clientId hasClientSecret domains defaultRole workspaceIds enabled } }`;
const ME = '{ me { workspaceId role person { email name } } }';

let p: Platform;
let idp: TestIdp;
let team: Awaited<ReturnType<typeof workspaceWithPeople>>;
let connection: Record<string, unknown>;

const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${p.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const start = (email: string) => post('/v1/sso/start', { email, redirectUri: CALLBACK });
const callback = (query: string, headers: Record<string, string> = {}) => post('/v1/sso/callback', { query }, headers);

/** Starts a sign-in as `email`, signs in at the provider as `login`, and hands the answer to the API. */
async function signInAs(email: string, login: string, beforeProvider?: (state: string) => Promise<void>) {
  const started = await start(email);
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  await beforeProvider?.(started.body.state);
  const back = await signInAt(started.body.authorizationUrl, login);
  expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
  return { started, back, answer: await callback(back.search) };
}

beforeAll(async () => {
  p = await startPlatform({ worker: false });
  idp = await startOidcProvider({
    redirectUris: [CALLBACK],
    accounts: {
      ada: { email: `ada@${DOMAIN}`, emailVerified: true, name: 'Ada Lovelace' },
      eve: { email: `eve@${DOMAIN}`, emailVerified: false },
      mallory: { email: 'mallory@elsewhere.test', emailVerified: true },
    },
  });
  team = await workspaceWithPeople(p.pool, p.apiUrl);
  const input = { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, domains: [DOMAIN.toUpperCase()], workspaceIds: [team.workspaceId] };
  connection = (await graphqlData(p.apiUrl, team.members.admin.session, SET, { input })).setSsoConnection;
}, 180_000);
afterAll(async () => {
  await idp?.stop();
  await p?.stop();
});

describe('the connection settings', () => {
  it('are the organization\'s, kept by owners and admins, the secret sealed, never returned, every change audited without it', async () => {
    expect(connection).toMatchObject({ issuer: idp.issuer, hasClientSecret: true, domains: [DOMAIN], defaultRole: 'viewer', workspaceIds: [team.workspaceId], enabled: true });
    const { rows } = await p.pool.query('SELECT client_secret FROM sso_connections WHERE organization_id = $1', [connection.organizationId]);
    expect(rows[0].client_secret.includes(Buffer.from(idp.clientSecret))).toBe(false);
    expect((await graphqlData(p.apiUrl, team.members.owner.session, '{ ssoConnection { domains hasClientSecret } }')).ssoConnection).toEqual({ domains: [DOMAIN], hasClientSecret: true });
    for (const role of ['analyst', 'viewer'] as const) {
      const { body } = await graphqlRequest(p.apiUrl, team.members[role].session, '{ ssoConnection { issuer } }');
      expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
    }
    const audit = (await graphqlData(p.apiUrl, team.members.owner.session, '{ auditLog(filter: { action: "setSsoConnection" }) { targetType targetId before after } }')).auditLog;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetType: 'sso_connection', targetId: connection.organizationId, before: null });
    expect(JSON.parse(audit[0].after)).toMatchObject({ issuer: idp.issuer, domains: [DOMAIN], enabled: true });
    expect(JSON.stringify(audit)).not.toContain(idp.clientSecret);
    expect(audit[0].after).not.toContain('client_secret');
  });

  it('refuses bad settings naming the field: issuer, domains, role, another organization\'s domain or workspace', async () => {
    const base = { issuer: idp.issuer, clientId: idp.clientId, domains: [DOMAIN] };
    const other = await workspaceWithPeople(p.pool, p.apiUrl);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...base, issuer: 'http://idp.example.com' }, team.members.owner.session, 'input.issuer'],
      [{ ...base, domains: ['not a domain'] }, team.members.owner.session, 'input.domains.0'],
      [{ ...base, defaultRole: 'owner' }, team.members.owner.session, 'input.defaultRole'],
      [{ ...base, workspaceIds: [other.workspaceId] }, team.members.owner.session, 'input.workspaceIds.0'],
      [{ ...base }, other.members.owner.session, 'input.domains'], // this domain is taken by the first organization
    ];
    for (const [input, session, field] of cases) {
      const { status, body } = await graphqlRequest(p.apiUrl, session, SET, { input });
      expect(status, field).toBe(200);
      expect(body.errors?.[0]?.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('signing in', () => {
  it('runs the code flow with PKCE, state and nonce; makes the person and their membership just in time; opens an ordinary session', async () => {
    const { started, answer } = await signInAs(`Ada@${DOMAIN}`, 'ada');
    const asked = new URL(started.body.authorizationUrl).searchParams;
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(asked.get('nonce')).toBeTruthy();
    expect(asked.get('state')).toBe(started.body.state);
    expect(asked.get('login_hint')).toBe(`Ada@${DOMAIN}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ workspaceId: team.workspaceId, role: 'viewer', email: `ada@${DOMAIN}` });
    expect((await graphqlData(p.apiUrl, answer.body.session, ME)).me).toEqual({
      workspaceId: team.workspaceId, role: 'viewer', person: { email: `ada@${DOMAIN}`, name: 'Ada Lovelace' },
    });
    const { rows } = await p.pool.query('SELECT password_hash FROM users WHERE id = $1', [answer.body.userId]);
    expect(rows).toEqual([{ password_hash: null }]);
    const joins = (await graphqlData(p.apiUrl, team.members.owner.session, '{ auditLog(filter: { action: "ssoJoin" }) { actorUserId targetId after } }')).auditLog;
    expect(joins).toEqual([expect.objectContaining({ actorUserId: answer.body.userId, targetId: answer.body.userId })]);
    expect(JSON.parse(joins[0].after)).toMatchObject({ role: 'viewer' });
  });

  it('signs the same person in again with the role they have now, ends the session presented, and uses a state once', async () => {
    const first = (await signInAs(`ada@${DOMAIN}`, 'ada')).answer.body;
    await p.pool.query(`UPDATE memberships SET role = 'analyst' WHERE user_id = $1`, [first.userId]);
    const started = await start(`ada@${DOMAIN}`);
    const back = await signInAt(started.body.authorizationUrl, 'ada');
    const again = await callback(back.search, { authorization: `Bearer ${first.session}` });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ userId: first.userId, role: 'analyst' });
    expect((await graphqlRequest(p.apiUrl, first.session, ME)).status).toBe(401);
    expect((await graphqlData(p.apiUrl, again.body.session, ME)).me.role).toBe('analyst');
    const replay = await callback(back.search);
    expect(replay).toMatchObject({ status: 400, body: { error: 'sso_bad_state' } });
  });

  it('refuses a state it did not issue, a nonce or PKCE verifier that do not match, with 4xx and a message', async () => {
    expect(await callback('code=abc&state=forged')).toMatchObject({ status: 400, body: { error: 'sso_bad_state' } });
    expect(await callback('code=abc')).toMatchObject({ status: 400, body: { error: 'sso_bad_state' } });
    const tamper = (column: string) => (state: string) =>
      p.pool.query(`UPDATE sso_attempts SET ${column} = $2 WHERE state_hash = $1`, [createHash('sha256').update(state).digest(), 'x'.repeat(43)]).then(() => {});
    const nonce = (await signInAs(`ada@${DOMAIN}`, 'ada', tamper('nonce'))).answer;
    expect(nonce.status).toBe(401);
    expect(nonce.body.error).toBe('sso_invalid_response');
    expect(nonce.body.message).toMatch(/nonce/);
    const pkce = (await signInAs(`ada@${DOMAIN}`, 'ada', tamper('code_verifier'))).answer;
    expect(pkce).toMatchObject({ status: 401, body: { error: 'sso_refused' } });
    expect(pkce.body.message).toMatch(/invalid_grant/);
  });

  it('refuses an unverified e-mail, a domain no organization has, an e-mail outside the connection\'s domains', async () => {
    const eve = (await signInAs(`eve@${DOMAIN}`, 'eve')).answer;
    expect(eve).toMatchObject({ status: 403, body: { error: 'sso_unverified_email' } });
    expect(eve.body.message).toContain(`eve@${DOMAIN}`);
    expect(await start('someone@unknown-domain.test')).toMatchObject({ status: 404, body: { error: 'sso_unknown_domain' } });
    const mallory = (await signInAs(`mallory@${DOMAIN}`, 'mallory')).answer;
    expect(mallory).toMatchObject({ status: 403, body: { error: 'sso_unknown_domain' } });
    const { rows } = await p.pool.query(`SELECT count(*)::int AS n FROM users WHERE email IN ($1, 'mallory@elsewhere.test')`, [`eve@${DOMAIN}`]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a turned-off connection, an unreachable provider and bad input with 4xx or 502, never 500', async () => {
    expect(await post('/v1/sso/start', { redirectUri: CALLBACK })).toMatchObject({ status: 400, body: { field: 'email' } });
    expect(await post('/v1/sso/start', { email: `a@${DOMAIN}`, redirectUri: 'javascript:alert(1)' })).toMatchObject({ status: 400, body: { field: 'redirectUri' } });
    expect(await post('/v1/sso/callback', {})).toMatchObject({ status: 400, body: { field: 'query' } });
    const other = await workspaceWithPeople(p.pool, p.apiUrl);
    const down = `down-${randomUUID().slice(0, 8)}.test`;
    await graphqlData(p.apiUrl, other.members.owner.session, SET, { input: { issuer: 'http://127.0.0.1:9', clientId: 'x', domains: [down] } });
    expect(await start(`a@${down}`)).toMatchObject({ status: 502, body: { error: 'sso_provider_unavailable' } });
    const input = { issuer: idp.issuer, clientId: idp.clientId, domains: [DOMAIN], workspaceIds: [team.workspaceId], enabled: false };
    const off = (await graphqlData(p.apiUrl, team.members.owner.session, SET, { input })).setSsoConnection;
    expect(off).toMatchObject({ enabled: false, hasClientSecret: true }); // left out: the stored secret stays
    expect(await start(`ada@${DOMAIN}`)).toMatchObject({ status: 403, body: { error: 'sso_disabled' } });
    // Removed: the domain signs in nowhere; the removal is audited with the connection before it.
    expect((await graphqlData(p.apiUrl, team.members.admin.session, 'mutation { deleteSsoConnection }')).deleteSsoConnection).toBe(true);
    expect(await start(`ada@${DOMAIN}`)).toMatchObject({ status: 404, body: { error: 'sso_unknown_domain' } });
    const [removal] = (await graphqlData(p.apiUrl, team.members.owner.session, '{ auditLog(filter: { action: "deleteSsoConnection" }) { before after } }')).auditLog;
    expect(JSON.parse(removal.before)).toMatchObject({ enabled: false, domains: [DOMAIN] });
    expect(removal.after).toBeNull();
  });
});
