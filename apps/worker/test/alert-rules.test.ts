// Alert rules end to end (issue 21): events ingested through the API into two workspaces, a rule
// and a signed webhook channel made through GraphQL; the real worker (clock fixed) evaluates the
// rules and delivers to an HTTP receiver on loopback. A per-user daily cost rule fires exactly for
// the users whose daily cost — SQL over raw events — exceeds the threshold, once per user and day;
// an anomaly rule fires for the new anomalies it selects only; nothing crosses workspaces.
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Decimal } from 'decimal.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { replaceAnomalies } from '@spendgraph/db';
import { EVALUATE_ALERT_RULES_JOB, INSIGHTS_QUEUE } from '@spendgraph/queue';
import { type Platform, graphqlData, ingestAndWait, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

const NOW = new Date('2026-12-03T15:00:00Z');
const received: Array<{ headers: IncomingHttpHeaders; raw: string; body: any }> = [];
let server: Server;
let p: Platform;
let redis: Redis;
let insights: Queue;
let ws: { workspaceId: string; key: string };
let other: { workspaceId: string; key: string };
let host: string;

const call = (at: string, user: string, cost: string) => ({
  occurred_at: at, provider: 'openai', model: 'gpt-4o-mini', cost, currency: 'USD', user_id: user, usage: { input_tokens: 10, output_tokens: 5 },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      res.writeHead(200).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  p = await startPlatform({
    now: NOW,
    env: {
      WORKER_QUEUES: 'ingest,insights,alerts', ANOMALY_EVERY_MS: '0', MORNING_REPORT_ENABLED: 'false', ALERT_RULES_EVERY_MS: '0',
      ALERT_EGRESS_ALLOW: host,
    },
  });
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  insights = new Queue(INSIGHTS_QUEUE, { connection: redis, prefix: p.env.QUEUE_PREFIX });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  other = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  await ingestAndWait(p, ws, [
    // Yesterday (UTC): ann 5.000000001 (over 5), bob exactly 5 (not over), cy 7.25 over.
    call('2026-12-02T01:00:00Z', 'ann', '2.5'), call('2026-12-02T23:59:59Z', 'ann', '2.500000001'),
    call('2026-12-02T10:00:00Z', 'bob', '3'), call('2026-12-02T11:00:00Z', 'bob', '2'),
    call('2026-12-02T12:00:00Z', 'cy', '7.25'),
    // Today so far: ann 1 (under), bob 9 (over), dee 0.2.
    call('2026-12-03T00:00:00Z', 'ann', '1'), call('2026-12-03T08:00:00Z', 'bob', '9'), call('2026-12-03T09:00:00Z', 'dee', '0.2'),
    // Two days ago: outside the windows a daily rule looks at (today and yesterday).
    call('2026-12-01T12:00:00Z', 'dee', '40'),
  ]);
  // The other workspace: a big spender, and a rule of its own with a higher threshold.
  await ingestAndWait(p, other, [call('2026-12-03T09:00:00Z', 'ann', '100'), call('2026-12-03T10:00:00Z', 'zed', '6')]);
}, 240_000);
afterAll(async () => {
  await insights?.close();
  redis?.disconnect();
  await p?.stop();
  server?.close();
});

async function channel(of: { key: string }, name: string) {
  const { createAlertChannel } = await graphqlData(p.apiUrl, of.key, 'mutation ($i: AlertChannelInput!) { createAlertChannel(input: $i) { id secret } }',
    { i: { name, type: 'webhook', target: `http://${host}/${name}` } });
  return createAlertChannel as { id: string; secret: string };
}

const CREATE = 'mutation ($i: AlertRuleInput!) { createAlertRule(input: $i) { id } }';

/** Runs one evaluation of a workspace's rules in the worker and waits for it. */
async function evaluate(workspaceId: string) {
  const job = await insights.add(EVALUATE_ALERT_RULES_JOB, { workspaceId });
  return waitFor(async () => {
    const state = await job.getState();
    if (state === 'failed') throw new Error(`evaluation failed: ${(await insights.getJob(job.id!))?.failedReason}`);
    return state === 'completed' ? (await insights.getJob(job.id!))!.returnvalue as { rules: number; notifications: number; deliveries: number; failed: number } : undefined;
  }, 120_000, 'the alert rule evaluation');
}

/** Per user and UTC day of [2026-12-02, 2026-12-03]: the cost, from SQL over raw events alone. */
async function dailyCostOver(workspaceId: string, threshold: string) {
  const { rows } = await p.pool.query(
    `SELECT user_id, (occurred_at AT TIME ZONE 'UTC')::date::text AS day, sum(total_cost)::text AS cost FROM usage_events
      WHERE workspace_id = $1 AND occurred_at >= '2026-12-02T00:00:00Z' AND occurred_at < '2026-12-04T00:00:00Z'
      GROUP BY 1, 2 HAVING sum(total_cost) > $2::numeric ORDER BY 1, 2`, [workspaceId, threshold]);
  return rows as Array<{ user_id: string; day: string; cost: string }>;
}

/** The webhook deliveries of one rule (by its name). */
const webhooksTo = (rule: string) => received.filter((r) => r.headers['x-spendgraph-event'] === 'alert_rule.fired' && r.body.rule_name === rule);

it('a per-user daily cost rule fires for exactly the users over the threshold, once per user and day, signed, and listed', async () => {
  const hook = await channel(ws, 'finance');
  const { createAlertRule: rule } = await graphqlData(p.apiUrl, ws.key, CREATE, { i: {
    name: 'user-daily', kind: 'metric', channelIds: [hook.id],
    metric: { measure: 'total_cost', dimension: 'user_id', window: 'day', comparison: 'gt', threshold: '5' },
  } });
  const truth = await dailyCostOver(ws.workspaceId, '5');
  expect(truth.map((t) => `${t.user_id} ${t.day}`)).toEqual(['ann 2026-12-02', 'bob 2026-12-03', 'cy 2026-12-02']);

  const first = await evaluate(ws.workspaceId);
  expect(first).toMatchObject({ rules: 1, notifications: truth.length, deliveries: truth.length, failed: 0 });
  await waitFor(async () => webhooksTo('user-daily').length >= truth.length, 60_000, 'the notifications to reach the webhook');

  const hooks = webhooksTo('user-daily');
  for (const h of hooks) {
    // Signed with the channel's secret over "t.body" (webhook.ts).
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(h.headers['x-spendgraph-signature']))!;
    expect(v1).toBe(createHmac('sha256', hook.secret).update(`${t}.${h.raw}`).digest('hex'));
  }
  const fired = hooks.map((h) => ({ user_id: h.body.group, day: h.body.window_start.slice(0, 10), cost: h.body.value }))
    .sort((a, b) => `${a.user_id} ${a.day}`.localeCompare(`${b.user_id} ${b.day}`));
  expect(fired.map((f) => ({ ...f, cost: new Decimal(f.cost).toFixed() }))).toEqual(truth.map((t) => ({ ...t, cost: new Decimal(t.cost).toFixed() })));
  expect(hooks.every((h) => h.body.workspace_id === ws.workspaceId && h.body.rule_id === rule.id && h.body.threshold === '5')).toBe(true);

  // More spend by a user who already fired today, and a second evaluation: nothing fires twice.
  await ingestAndWait(p, ws, [call('2026-12-03T14:00:00Z', 'bob', '1')]);
  const second = await evaluate(ws.workspaceId);
  expect(second).toMatchObject({ notifications: 0, deliveries: 0 });
  await new Promise((r) => setTimeout(r, 500));
  expect(webhooksTo('user-daily')).toHaveLength(truth.length);

  const { notifications } = await graphqlData(p.apiUrl, ws.key, '{ notifications { ruleName groupKey windowStart value read } }');
  expect(notifications.map((n: any) => `${n.groupKey} ${n.windowStart.slice(0, 10)}`).sort()).toEqual(truth.map((t) => `${t.user_id} ${t.day}`));
  expect(notifications.every((n: any) => n.ruleName === 'user-daily' && n.read === false)).toBe(true);
  const { rows } = await p.pool.query(`SELECT status, count(*)::int AS n FROM notification_deliveries WHERE workspace_id = $1 GROUP BY 1`, [ws.workspaceId]);
  expect(rows).toEqual([{ status: 'delivered', n: truth.length }]);
});

it('a rule below a threshold looks only at whole windows (yesterday), never at today so far', async () => {
  const { createAlertRule: rule } = await graphqlData(p.apiUrl, ws.key, CREATE, { i: {
    name: 'quiet-users', kind: 'metric', metric: { measure: 'total_cost', dimension: 'user_id', window: 'day', comparison: 'lt', threshold: '5.5' },
  } });
  await evaluate(ws.workspaceId);
  const { rows } = await p.pool.query(`SELECT group_key, window_start FROM notifications WHERE rule_id = $1 ORDER BY 1`, [rule.id]);
  // Yesterday: ann 5.000000001 and bob 5 are under 5.5; cy 7.25 is not. Today's partial day (ann 1, dee 0.2) does not count.
  expect(rows.map((r) => `${r.group_key} ${r.window_start.toISOString().slice(0, 10)}`)).toEqual(['ann 2026-12-02', 'bob 2026-12-02']);
});

it('an anomaly rule fires for the new anomalies it selects only', async () => {
  const hook = await channel(ws, 'anomalies');
  const anomaly = (subjectId: string, kind: 'session' | 'task', cost: string, peerMedian: string) => ({
    workspaceId: ws.workspaceId, kind, subjectId, peerDimension: 'task_type', peerValue: 'bugfix', peerCount: 8,
    windowStart: '2026-12-03T00:00:00.000Z', windowEnd: '2026-12-04T00:00:00.000Z', timezone: 'UTC', currency: 'USD', cost, peerMedian,
    ratio: new Decimal(cost).dividedBy(peerMedian).toFixed(2), threshold: '3', causes: [],
  });
  const window = { workspaceId: ws.workspaceId, windowStart: '2026-12-03T00:00:00.000Z', windowEnd: '2026-12-04T00:00:00.000Z' };
  // Detected before the rule existed: not new to it.
  await replaceAnomalies(p.pool, { ...window, kind: 'session' }, [anomaly('s-old', 'session', '60', '2')]);
  await p.pool.query(`UPDATE anomalies SET detected_at = now() - interval '1 hour' WHERE workspace_id = $1`, [ws.workspaceId]);
  const { createAlertRule: rule } = await graphqlData(p.apiUrl, ws.key, CREATE, { i: {
    name: 'big-sessions', kind: 'anomaly', channelIds: [hook.id], anomaly: { minImpact: '10', anomalyKind: 'session' },
  } });
  await replaceAnomalies(p.pool, { ...window, kind: 'session' }, [
    anomaly('s-old', 'session', '60', '2'), anomaly('s-big', 'session', '32', '2'), anomaly('s-small', 'session', '11', '2'), anomaly('s-dismissed', 'session', '90', '2'),
  ]);
  await replaceAnomalies(p.pool, { ...window, kind: 'task' }, [anomaly('t-big', 'task', '80', '2')]);
  await p.pool.query(`UPDATE anomalies SET status = 'dismissed' WHERE workspace_id = $1 AND subject_id = 's-dismissed'`, [ws.workspaceId]);
  // The same anomaly in another workspace is not this rule's.
  await replaceAnomalies(p.pool, { ...window, workspaceId: other.workspaceId, kind: 'session' }, [{ ...anomaly('s-big', 'session', '32', '2'), workspaceId: other.workspaceId }]);

  await evaluate(ws.workspaceId);
  const { rows: selected } = await p.pool.query(
    `SELECT id::text, excess::text FROM anomalies WHERE workspace_id = $1 AND kind = 'session' AND excess >= 10 AND status <> 'dismissed' AND subject_id <> 's-old'`,
    [ws.workspaceId]);
  expect(selected).toHaveLength(1); // s-big: 30 over its peers (s-small: 9)
  const { rows } = await p.pool.query(`SELECT group_key, value::text FROM notifications WHERE rule_id = $1`, [rule.id]);
  expect(rows).toEqual([{ group_key: selected[0].id, value: selected[0].excess }]);
  await waitFor(async () => webhooksTo('big-sessions').length >= 1, 60_000, 'the anomaly notification to reach the webhook');
  expect(webhooksTo('big-sessions')[0]!.body.detail).toMatchObject({ anomalyId: selected[0].id, subjectId: 's-big', kind: 'session' });
  await evaluate(ws.workspaceId);
  expect((await p.pool.query(`SELECT count(*)::int AS n FROM notifications WHERE rule_id = $1`, [rule.id])).rows[0].n).toBe(1);
});

it('each workspace\'s rules read its own events only, and its notifications are listed to it alone', async () => {
  const { createAlertRule: rule } = await graphqlData(p.apiUrl, other.key, CREATE, { i: {
    name: 'other-daily', kind: 'metric', metric: { measure: 'total_cost', dimension: 'user_id', window: 'day', comparison: 'gt', threshold: '5' },
  } });
  const result = await evaluate(other.workspaceId);
  expect(result.rules).toBe(1);
  const truth = await dailyCostOver(other.workspaceId, '5');
  const { rows } = await p.pool.query(`SELECT group_key, value::text FROM notifications WHERE rule_id = $1 ORDER BY 1`, [rule.id]);
  expect(rows.map((r) => ({ user_id: r.group_key, cost: new Decimal(r.value).toFixed() }))).toEqual(truth.map((t) => ({ user_id: t.user_id, cost: new Decimal(t.cost).toFixed() })));
  const listed = await graphqlData(p.apiUrl, other.key, '{ notifications(first: 500) { ruleName } unreadNotifications }');
  expect(new Set(listed.notifications.map((n: any) => n.ruleName))).toEqual(new Set(['other-daily']));
  expect(listed.unreadNotifications).toBe(truth.length);
  const mine = await graphqlData(p.apiUrl, ws.key, '{ notifications(first: 500) { ruleName } }');
  expect(mine.notifications.some((n: any) => n.ruleName === 'other-daily')).toBe(false);
});
