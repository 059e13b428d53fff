// Alert rules through GraphQL (issue 21): create, read, update and delete, each refusal naming
// its field; walled off between workspaces (rules, channels, notifications, read marks); read
// marks are each person's own. The worker's evaluation is tested in apps/worker/test/alert-rules.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordNotifications, withTransaction } from '@spendgraph/db';
import { workspaceWithPeople } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, graphqlRequest, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let team: Awaited<ReturnType<typeof workspaceWithPeople>>;
let other: { workspaceId: string; key: string };

beforeAll(async () => {
  p = await startPlatform({ worker: false, now: new Date('2026-12-03T15:00:00Z') });
  team = await workspaceWithPeople(p.pool, p.apiUrl);
  other = await workspaceWithKey(p.pool, ['read', 'admin']);
}, 240_000);
afterAll(async () => p?.stop());

const RULE = 'id name kind enabled channelIds anomaly { minImpact anomalyKind peerValue likelyCause } metric { measure dimension filters { member operator values } window comparison threshold }';
const CREATE = `mutation ($i: AlertRuleInput!) { createAlertRule(input: $i) { ${RULE} } }`;
const UPDATE = `mutation ($id: ID!, $i: AlertRuleInput!) { updateAlertRule(id: $id, input: $i) { ${RULE} } }`;
const DELETE = 'mutation ($id: ID!) { deleteAlertRule(id: $id) }';
const perUser = (threshold = '25') => ({
  name: 'per-user daily cost', kind: 'metric',
  metric: { measure: 'total_cost', dimension: 'user_id', filters: [{ member: 'provider', operator: 'equals', values: ['openai'] }], window: 'day', comparison: 'gt', threshold },
});
const owner = () => team.members.owner.session;

describe('rules', () => {
  it('an analyst creates, reads, updates and deletes a rule; each change is audited', async () => {
    const analyst = team.members.analyst.session;
    const { createAlertRule: made } = await graphqlData(p.apiUrl, analyst, CREATE, { i: perUser() });
    expect(made).toMatchObject({
      name: 'per-user daily cost', kind: 'metric', enabled: true, channelIds: [], anomaly: null,
      metric: { measure: 'total_cost', dimension: 'user_id', filters: [{ member: 'provider', operator: 'equals', values: ['openai'] }], window: 'day', comparison: 'gt', threshold: '25' },
    });
    const { updateAlertRule: changed } = await graphqlData(p.apiUrl, analyst, UPDATE, { id: made.id, i: { ...perUser('30.5'), enabled: false } });
    expect(changed).toMatchObject({ id: made.id, enabled: false, metric: { threshold: '30.5' } });
    const { alertRules } = await graphqlData(p.apiUrl, team.members.viewer.session, `{ alertRules { ${RULE} } }`);
    expect(alertRules).toEqual([changed]);
    expect((await graphqlData(p.apiUrl, analyst, DELETE, { id: made.id })).deleteAlertRule).toBe(true);
    expect((await graphqlData(p.apiUrl, analyst, '{ alertRules { id } }')).alertRules).toEqual([]);
    const { rows } = await p.pool.query(`SELECT action FROM audit_log WHERE workspace_id = $1 AND target_type = 'alert_rule' ORDER BY occurred_at, id`, [team.workspaceId]);
    expect(rows.map((r) => r.action)).toEqual(['createAlertRule', 'updateAlertRule', 'deleteAlertRule']);
  });

  it('an anomaly rule keeps its minimum impact and subject filters', async () => {
    const { createAlertRule } = await graphqlData(p.apiUrl, owner(), CREATE, { i: {
      name: 'big sessions', kind: 'anomaly', anomaly: { minImpact: '10.50', anomalyKind: 'session', peerValue: 'bugfix x coder', likelyCause: 'retries' },
    } });
    expect(createAlertRule).toMatchObject({ kind: 'anomaly', metric: null, anomaly: { minImpact: '10.50', anomalyKind: 'session', peerValue: 'bugfix x coder', likelyCause: 'retries' } });
    await graphqlData(p.apiUrl, owner(), DELETE, { id: createAlertRule.id });
  });

  it('a viewer may read rules but not keep them', async () => {
    const { body } = await graphqlRequest(p.apiUrl, team.members.viewer.session, CREATE, { i: perUser() });
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['an empty name', { ...perUser(), name: ' ' }, 'input.name'],
    ['a threshold that is no decimal', perUser('lots'), 'input.metric.threshold'],
    ['a measure the usage view does not have', { ...perUser(), metric: { ...perUser().metric, measure: 'dollars' } }, 'input.metric.measure'],
    ['a dimension the usage view does not have', { ...perUser(), metric: { ...perUser().metric, dimension: 'person' } }, 'input.metric.dimension'],
    ['a filter on an unknown member', { ...perUser(), metric: { ...perUser().metric, filters: [{ member: 'nope', operator: 'equals', values: ['x'] }] } }, 'input.metric.filters.0.member'],
    ['a filter without values', { ...perUser(), metric: { ...perUser().metric, filters: [{ member: 'model', operator: 'equals' }] } }, 'input.metric.filters.0.values'],
    ['a metric rule without its metric', { name: 'x', kind: 'metric' }, 'input.metric'],
    ['an anomaly rule with a metric', { ...perUser(), kind: 'anomaly', anomaly: { minImpact: '1' } }, 'input.metric'],
    ['a negative minimum impact', { name: 'x', kind: 'anomaly', anomaly: { minImpact: '-1' } }, 'input.anomaly.minImpact'],
    ['an unknown anomaly kind', { name: 'x', kind: 'anomaly', anomaly: { minImpact: '1', anomalyKind: 'call' } }, 'input.anomaly.anomalyKind'],
    ['a channel id that is no id', { ...perUser(), channelIds: ['abc'] }, 'input.channelIds.0'],
  ];
  it.each(refusals)('refuses %s, naming the field', async (_what, input, field) => {
    const res = await graphqlRequest(p.apiUrl, owner(), CREATE, { i: input });
    expect(res.body.errors?.[0]?.extensions, JSON.stringify(res.body)).toMatchObject({ field });
    expect(res.body.errors[0].extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('tenants', () => {
  it('another workspace\'s rules cannot be read, changed or deleted, nor its channels used', async () => {
    const { createAlertRule: mine } = await graphqlData(p.apiUrl, owner(), CREATE, { i: perUser() });
    const theirs = await graphqlData(p.apiUrl, other.key, '{ alertRules { id } }');
    expect(theirs.alertRules.map((r: { id: string }) => r.id)).not.toContain(mine.id);
    const update = await graphqlRequest(p.apiUrl, other.key, UPDATE, { id: mine.id, i: perUser('1') });
    expect(update.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    expect((await graphqlData(p.apiUrl, other.key, DELETE, { id: mine.id })).deleteAlertRule).toBe(false);
    const { rows } = await p.pool.query('SELECT condition->>\'threshold\' AS t FROM alert_rules WHERE id = $1', [mine.id]);
    expect(rows).toEqual([{ t: '25' }]);

    const { createAlertChannel: channel } = await graphqlData(p.apiUrl, owner(), 'mutation ($i: AlertChannelInput!) { createAlertChannel(input: $i) { id } }',
      { i: { name: 'ops', type: 'email', target: 'ops@example.com' } });
    const borrowed = await graphqlRequest(p.apiUrl, other.key, CREATE, { i: { ...perUser(), channelIds: [channel.id] } });
    expect(borrowed.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.channelIds' });
    const { createAlertRule: withChannel } = await graphqlData(p.apiUrl, owner(), CREATE, { i: { ...perUser(), channelIds: [channel.id] } });
    expect(withChannel.channelIds).toEqual([channel.id]);
  });
});

describe('notifications', () => {
  let ids: string[];
  beforeAll(async () => {
    const { createAlertRule: rule } = await graphqlData(p.apiUrl, owner(), CREATE, { i: { ...perUser(), name: 'notifying' } });
    const n = (user: string, day: string, value: string) => ({
      workspaceId: team.workspaceId, ruleId: rule.id, groupKey: user, windowStart: `${day}T00:00:00Z`, windowEnd: `${day}T23:59:59.999Z`,
      value, threshold: '25', title: `notifying: total_cost ${value} > 25 for user_id ${user} on ${day}`, detail: {},
    });
    await withTransaction(p.pool, (tx) => recordNotifications(tx, [n('ann', '2026-12-02', '30'), n('bob', '2026-12-02', '26'), n('ann', '2026-12-03', '41')]));
    // Recorded twice: the same rule × group × window is one notification.
    const again = await withTransaction(p.pool, (tx) => recordNotifications(tx, [n('ann', '2026-12-02', '31')]));
    expect(again.notifications).toBe(0);
    ids = (await p.pool.query('SELECT id FROM notifications WHERE rule_id = $1 ORDER BY group_key, window_start', [rule.id])).rows.map((r) => r.id);
  });

  const unread = (credential: string) => graphqlData(p.apiUrl, credential, '{ unreadNotifications }').then((d) => d.unreadNotifications as number);

  it('are the workspace\'s, and each person marks their own read', async () => {
    const listed = await graphqlData(p.apiUrl, team.members.viewer.session, '{ notifications { id groupKey value read ruleName } }');
    expect(listed.notifications.map((x: { id: string }) => x.id).sort()).toEqual([...ids].sort());
    expect(await unread(team.members.viewer.session)).toBe(3);
    const marked = await graphqlData(p.apiUrl, team.members.viewer.session, 'mutation ($ids: [ID!]) { markNotificationsRead(ids: $ids) }', { ids: [ids[0]] });
    expect(marked.markNotificationsRead).toBe(1);
    expect(await unread(team.members.viewer.session)).toBe(2);
    expect(await unread(owner())).toBe(3);
    const onlyUnread = await graphqlData(p.apiUrl, team.members.viewer.session, '{ notifications(unreadOnly: true) { id } }');
    expect(onlyUnread.notifications.map((x: { id: string }) => x.id)).not.toContain(ids[0]);
    await graphqlData(p.apiUrl, owner(), 'mutation { markNotificationsRead }');
    expect(await unread(owner())).toBe(0);
    expect(await unread(team.members.viewer.session)).toBe(2);
  });

  it('another workspace neither sees them nor marks them', async () => {
    const theirs = await graphqlData(p.apiUrl, other.key, '{ notifications { id } unreadNotifications }');
    expect(theirs.notifications.filter((x: { id: string }) => ids.includes(x.id))).toEqual([]);
    const marked = await graphqlData(p.apiUrl, other.key, 'mutation ($ids: [ID!]) { markNotificationsRead(ids: $ids) }', { ids });
    expect(marked.markNotificationsRead).toBe(0);
    const { rows } = await p.pool.query('SELECT count(*)::int AS n FROM notification_reads WHERE notification_id = ANY ($1) AND reader LIKE \'key:%\'', [ids]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a page size out of range and an id that is no id, naming the argument', async () => {
    const big = await graphqlRequest(p.apiUrl, owner(), '{ notifications(first: 0) { id } }');
    expect(big.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'first' });
    const bad = await graphqlRequest(p.apiUrl, owner(), 'mutation { markNotificationsRead(ids: ["x"]) }');
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'ids.0' });
  });
});
