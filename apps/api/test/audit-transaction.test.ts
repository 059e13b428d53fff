// Every administrative change and its audit entry are one transaction: each mutation leaves
// exactly one entry with the target before and after, and a change whose entry cannot be written
// (a trigger refusing it, in the real database) leaves nothing changed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEntry, createApiKey, listAudit } from '@spendgraph/db';
import { type Platform, graphqlRequest, startPlatform } from '@spendgraph/test-support/platform';
import { person, workspaceWithPeople } from '@spendgraph/test-support/people';

let p: Platform;
beforeAll(async () => {
  p = await startPlatform({ worker: false });
}, 120_000);
afterAll(async () => p?.stop());

/** A workspace, its owner's session and an admin key, and someone to change the role of. */
async function team() {
  const t = await workspaceWithPeople(p.pool, p.apiUrl);
  const { key } = await createApiKey(p.pool, t.workspaceId, ['admin']);
  return { ...t, key, owner: t.members.owner.session };
}

const gql = async (credential: string, query: string, variables: Record<string, unknown> = {}) => (await graphqlRequest(p.apiUrl, credential, query, variables)).body;
const ok = async (credential: string, query: string, variables: Record<string, unknown> = {}) => {
  const body = await gql(credential, query, variables);
  if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
};

const BUDGET = { name: 'Team', wholeWorkspace: true, period: 'monthly', amount: '100' };
const CHART = { kind: 'breakdown', measures: ['total_cost'], by: ['provider'], timeRange: { relative: 'last 7 days' } };
const REPRICE = '{ reason: "new rate", provider: "openai", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }';

/** One call of every audited mutation, in an order in which each has its target. */
async function everyChange(t: Awaited<ReturnType<typeof team>>) {
  const budget = (await ok(t.key, 'mutation ($i: BudgetInput!) { createBudget(input: $i) { id } }', { i: BUDGET })).createBudget.id;
  await ok(t.key, `mutation { updateBudget(id: "${budget}", input: { amount: "200" }) { id } }`);
  await ok(t.key, `mutation { pauseBudget(id: "${budget}") { id } }`);
  await ok(t.key, `mutation { resumeBudget(id: "${budget}") { id } }`);
  const channel = (await ok(t.key, 'mutation { createAlertChannel(input: { name: "ops", type: email, target: "ops@example.com" }) { id } }')).createAlertChannel.id;
  await ok(t.key, `mutation { deleteAlertChannel(id: "${channel}") }`);
  await ok(t.key, `mutation { deleteBudget(id: "${budget}") }`);
  const embed = (await ok(t.key, 'mutation ($i: EmbedInput!) { createEmbedToken(input: $i) { id } }', { i: CHART })).createEmbedToken.id;
  await ok(t.key, `mutation { revokeEmbedToken(id: "${embed}") }`);
  await ok(t.key, `mutation { repriceEvents(input: ${REPRICE}) { id } }`);
  await ok(t.key, 'mutation { setRawRetention(days: 400) { rawRetentionDays } }');
  const invitation = (await ok(t.owner, `mutation { inviteMember(email: "new-${randomUUID().slice(0, 8)}@example.test", role: viewer) { invitation { id } } }`)).inviteMember.invitation.id;
  await ok(t.owner, `mutation { revokeInvitation(id: "${invitation}") { id } }`);
  await ok(t.owner, `mutation { changeMemberRole(userId: "${t.members.viewer.userId}", role: analyst) { role } }`);
  await ok(t.owner, `mutation { removeMember(userId: "${t.members.viewer.userId}") }`);
  const key = (await ok(t.owner, 'mutation { createApiKey(input: { name: "ci", scopes: [ingest] }) { apiKey { id } } }')).createApiKey.apiKey.id;
  const next = (await ok(t.owner, `mutation { rotateApiKey(id: "${key}", overlapHours: 1) { apiKey { id } } }`)).rotateApiKey.apiKey.id;
  await ok(t.owner, `mutation { revokeApiKey(id: "${next}") { id } }`);
}

const CREATES = ['createBudget', 'createAlertChannel', 'createEmbedToken', 'repriceEvents', 'inviteMember', 'createApiKey'];
const DELETES = ['deleteBudget', 'deleteAlertChannel', 'removeMember'];

describe('the audit log', () => {
  it('records each administrative change once, with the target before and after', async () => {
    const t = await team();
    await everyChange(t);
    const entries = await listAudit(p.pool, { workspaceId: t.workspaceId, first: 1000 });
    const byAction = new Map<string, AuditEntry[]>();
    for (const e of entries) byAction.set(e.action, [...(byAction.get(e.action) ?? []), e]);
    expect([...byAction.keys()].sort()).toEqual([
      'changeMemberRole', 'createAlertChannel', 'createApiKey', 'createBudget', 'createEmbedToken', 'deleteAlertChannel', 'deleteBudget',
      'inviteMember', 'pauseBudget', 'removeMember', 'repriceEvents', 'resumeBudget', 'revokeApiKey', 'revokeEmbedToken', 'revokeInvitation',
      'rotateApiKey', 'setRawRetention', 'updateBudget',
    ]);
    for (const [action, [entry, ...more]] of byAction) {
      expect(more, action).toEqual([]);
      expect(entry!.targetId, action).toBeTruthy();
      if (CREATES.includes(action)) expect([entry!.before, entry!.after !== null], action).toEqual([null, true]);
      else if (DELETES.includes(action)) expect([entry!.before !== null, entry!.after], action).toEqual([true, null]);
      else expect([entry!.before !== null, entry!.after !== null], action).toEqual([true, true]);
    }
    expect(byAction.get('updateBudget')![0]!).toMatchObject({ before: { amount: 100 }, after: { amount: 200 } });
    expect(byAction.get('changeMemberRole')![0]!).toMatchObject({ before: { role: 'viewer' }, after: { role: 'analyst' } });
  }, 60_000);

  it('a change whose entry cannot be written leaves nothing changed', async () => {
    const t = await team();
    const someone = await person(p.pool);
    const count = async (table: string) => Number((await p.pool.query(`SELECT count(*) FROM ${table} WHERE workspace_id = $1`, [t.workspaceId])).rows[0].count);
    const state = async () => ({
      budgets: await count('budgets'), channels: await count('alert_channels'), embeds: await count('embed_tokens'), repricings: await count('repricings'),
      invitations: await count('invitations'), keys: await count('api_keys'), members: await count('memberships'),
      roles: (await p.pool.query('SELECT user_id, role FROM memberships WHERE workspace_id = $1 ORDER BY user_id', [t.workspaceId])).rows,
      retention: (await p.pool.query('SELECT raw_retention_days FROM workspaces WHERE id = $1', [t.workspaceId])).rows[0].raw_retention_days,
    });
    const budget = (await ok(t.key, 'mutation ($i: BudgetInput!) { createBudget(input: $i) { id amount } }', { i: BUDGET })).createBudget.id;
    const before = await state();
    // The audit log refuses this workspace's entries from now on.
    const name = `refuse_audit_${randomUUID().replaceAll('-', '')}`;
    await p.pool.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$`);
    await p.pool.query(`CREATE TRIGGER ${name} BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.workspace_id = '${t.workspaceId}') EXECUTE FUNCTION ${name}()`);
    try {
      const refused = [
        gql(t.key, 'mutation ($i: BudgetInput!) { createBudget(input: $i) { id } }', { i: BUDGET }),
        gql(t.key, `mutation { updateBudget(id: "${budget}", input: { amount: "900" }) { id } }`),
        gql(t.key, `mutation { deleteBudget(id: "${budget}") }`),
        gql(t.key, 'mutation { createAlertChannel(input: { name: "ops", type: email, target: "ops@example.com" }) { id } }'),
        gql(t.key, 'mutation ($i: EmbedInput!) { createEmbedToken(input: $i) { id } }', { i: CHART }),
        gql(t.key, `mutation { repriceEvents(input: ${REPRICE}) { id } }`),
        gql(t.key, 'mutation { setRawRetention(days: 30) { rawRetentionDays } }'),
        gql(t.owner, `mutation { inviteMember(email: "${someone.email}", role: viewer) { invitation { id } } }`),
        gql(t.owner, `mutation { changeMemberRole(userId: "${t.members.viewer.userId}", role: admin) { role } }`),
        gql(t.owner, `mutation { removeMember(userId: "${t.members.analyst.userId}") }`),
        gql(t.owner, 'mutation { createApiKey(input: { name: "ci", scopes: [ingest] }) { apiKey { id } } }'),
      ];
      for (const body of await Promise.all(refused)) {
        expect(body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        expect(body.errors[0].message).toBe('internal error');
      }
      expect(await state()).toEqual(before);
      expect((await p.pool.query('SELECT amount::text FROM budgets WHERE id = $1', [budget])).rows).toEqual([{ amount: '100' }]);
    } finally {
      await p.pool.query(`DROP TRIGGER ${name} ON audit_log`);
      await p.pool.query(`DROP FUNCTION ${name}()`);
    }
  }, 60_000);
});
