// First run on an empty install (a database of this file's own: "no owner anywhere" is a fact about
// the whole install), the workspace settings, the onboarding's "any event yet?", and switching a
// session's workspace — through the real API, worker and database.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMembership, createApiKey, createWorkspaceIn } from '@spendgraph/db';
import { type OwnDatabase, ownDatabase } from '@spendgraph/test-support/database';
import { TEST_PASSWORD, signIn } from '@spendgraph/test-support/people';
import { type Platform, graphqlRequest, postEvents, startPlatform, waitFor } from '@spendgraph/test-support/platform';

let db: OwnDatabase;
let p: Platform;
beforeAll(async () => {
  db = await ownDatabase('first_run');
  p = await startPlatform({ databaseUrl: db.url });
}, 180_000);
afterAll(async () => {
  await p?.stop();
  await db?.drop();
});

const setup = (body: unknown) => fetch(`${p.apiUrl}/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const isOpen = async () => ((await (await fetch(`${p.apiUrl}/v1/setup`)).json()) as { open: boolean }).open;
const gql = async (credential: string, query: string, variables: Record<string, unknown> = {}) => (await graphqlRequest(p.apiUrl, credential, query, variables)).body;
const owner = { organization: 'Acme Robotics', workspace: 'Production agents', name: 'Ana Owner', email: 'ana@acme.test', password: TEST_PASSWORD };
let session: string;
let workspaceId: string;

describe('first run', () => {
  it('is open on an empty install and names the field at fault', async () => {
    expect(await isOpen()).toBe(true);
    const weak = await setup({ ...owner, password: 'short' });
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({ field: 'password' });
    const bad = await setup({ ...owner, email: 'not an address' });
    expect(await bad.json()).toMatchObject({ field: 'email' });
    expect((await setup({ ...owner, organization: ' ' })).status).toBe(400);
    expect(await isOpen()).toBe(true); // nothing half-made
    const { rows } = await p.pool.query('SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM organizations)::int AS orgs');
    expect(rows[0]).toEqual({ users: 0, orgs: 0 });
  });

  it('makes one organization, workspace and owner when two race, signs the owner in, and shuts for good', async () => {
    const [a, b] = await Promise.all([setup(owner), setup({ ...owner, email: 'bob@acme.test' })]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const made = (await (a.status === 201 ? a : b).json()) as { session: string; workspaceId: string; role: string; workspace: string };
    expect(made).toMatchObject({ role: 'owner', workspace: 'production-agents' });
    ({ session, workspaceId } = made);
    const { data } = await gql(session, '{ me { role person { email name } workspaces { slug name role } } }');
    expect(data.me).toMatchObject({ role: 'owner', workspaces: [{ slug: 'production-agents', name: 'Production agents', role: 'owner' }] });
    const { rows } = await p.pool.query(`SELECT o.name FROM workspaces w JOIN organizations o ON o.id = w.organization_id WHERE w.id = $1`, [workspaceId]);
    expect(rows).toEqual([{ name: 'Acme Robotics' }]);
    expect(await isOpen()).toBe(false);
    const again = await setup({ ...owner, email: 'mallory@evil.test' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toContain('already has an owner');
    expect((await p.pool.query(`SELECT 1 FROM users WHERE email = 'mallory@evil.test'`)).rowCount).toBe(0);
    // The owner signs in again with the password chosen; the first run is in the audit log.
    expect((await signIn(p.apiUrl, a.status === 201 ? owner.email : 'bob@acme.test')).status).toBe(201);
    const log = await gql(session, '{ auditLog { action targetId actorUserId actorLabel } }');
    expect(log.data.auditLog).toEqual([expect.objectContaining({ action: 'firstRun', targetId: workspaceId, actorLabel: 'first run' })]);
  });
});

describe('workspace settings and onboarding', () => {
  const SETTINGS = 'workspace { name timeZone currency rawRetentionDays hasEvents }';

  it('lets an owner change name, time zone and currency (audited), refuses bad values by field, and a read-only key entirely', async () => {
    const changed = await gql(session, `mutation($i: WorkspacePatch!) { updateWorkspace(input: $i) { name timeZone currency } }`, { i: { timeZone: 'Europe/Berlin', currency: 'EUR' } });
    expect(changed.data.updateWorkspace).toEqual({ name: 'Production agents', timeZone: 'Europe/Berlin', currency: 'EUR' });
    const bad = await gql(session, `mutation { updateWorkspace(input: { timeZone: "Mars/Olympus" }) { name } }`);
    expect(bad.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.timeZone' });
    const cur = await gql(session, `mutation { updateWorkspace(input: { currency: "euro" }) { name } }`);
    expect(cur.errors[0].extensions.field).toBe('input.currency');
    const { data } = await gql(session, '{ auditLog(filter: { action: "updateWorkspace" }) { before after } }');
    expect(data.auditLog).toHaveLength(1);
    expect(JSON.parse(data.auditLog[0].before)).toMatchObject({ time_zone: 'UTC', currency: 'USD' });
    expect(JSON.parse(data.auditLog[0].after)).toMatchObject({ time_zone: 'Europe/Berlin', currency: 'EUR' });
    const { key } = await createApiKey(p.pool, workspaceId, ['read']);
    const byKey = await gql(key, `mutation { updateWorkspace(input: { name: "x" }) { name } }`);
    expect(byKey.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await gql(key, `{ ${SETTINGS} }`)).data.workspace.name).toBe('Production agents');
  });

  it('says whether any event has arrived, true once the first is stored', async () => {
    expect((await gql(session, `{ ${SETTINGS} }`)).data.workspace.hasEvents).toBe(false);
    const { key } = await createApiKey(p.pool, workspaceId, ['ingest']);
    const res = await postEvents(p.apiUrl, key, [{ id: randomUUID(), occurred_at: new Date().toISOString(), provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { input_tokens: 10, output_tokens: 5 } }]);
    expect(res.status).toBe(202);
    await waitFor(async () => (await gql(session, `{ ${SETTINGS} }`)).data.workspace.hasEvents, 30_000, 'the first event to be stored');
  });
});

describe('switching workspaces', () => {
  it("gives a person's session a new id acting in another of their workspaces, with their role there", async () => {
    const { rows } = await p.pool.query('SELECT organization_id FROM workspaces WHERE id = $1', [workspaceId]);
    const second = await createWorkspaceIn(p.pool, rows[0].organization_id, { slug: `staging-${randomUUID().slice(0, 6)}`, name: 'Staging' });
    const { rows: [me] } = await p.pool.query(`SELECT user_id FROM memberships WHERE workspace_id = $1`, [workspaceId]);
    await addMembership(p.pool, { userId: me.user_id, workspaceId: second.id, role: 'viewer' });
    const put = (credential: string, body: unknown) => fetch(`${p.apiUrl}/v1/sessions/current/workspace`, {
      method: 'PUT', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const stranger = await createWorkspaceIn(p.pool, rows[0].organization_id, { slug: `other-${randomUUID().slice(0, 6)}` });
    expect((await put(session, { workspace: stranger.slug })).status).toBe(403);
    expect((await put(session, {})).status).toBe(400);
    const { key } = await createApiKey(p.pool, workspaceId, ['read']);
    expect((await put(key, { workspace: second.slug })).status).toBe(400); // a key stays in its workspace
    const res = await put(session, { workspace: second.slug });
    expect(res.status).toBe(201);
    const switched = (await res.json()) as { session: string; workspaceId: string; role: string };
    expect(switched).toMatchObject({ workspaceId: second.id, role: 'viewer' });
    expect((await gql(switched.session, '{ me { workspaceId role } }')).data.me).toEqual({ workspaceId: second.id, role: 'viewer' });
    await waitFor(async () => (await graphqlRequest(p.apiUrl, session, '{ me { role } }')).status === 401, 2000, 'the old session to end');
    // Back again: the owner's role there.
    const back = (await (await put(switched.session, { workspace: workspaceId })).json()) as { role: string; session: string };
    expect(back.role).toBe('owner');
    session = back.session;
  });
});
