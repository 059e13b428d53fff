// Bill variance alerts end to end: events ingested, a threshold set and a webhook channel made
// through GraphQL, a provider bill uploaded; the real worker checks the imported days through the
// reconciliation view and delivers to an HTTP receiver on loopback. The alert's figures are
// re-derived from SQL over provider_bill_lines and usage_events; the same days never alert twice.
import { once } from 'node:events';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Decimal } from 'decimal.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { DELIVER_VARIANCE_JOB, MAINTENANCE_QUEUE, createAlertsQueue } from '@spendgraph/queue';
import { requeueStaleDeliveries } from '../src/processors/deliver.ts';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

const fixture = (name: string) => readFileSync(new URL(`../../../packages/billing/test/fixtures/${name}`, import.meta.url), 'utf8');
const openAiBill = `[${fixture('openai-costs-page1.json')},${fixture('openai-costs-page2.json')}]`;

const received: Array<{ headers: IncomingHttpHeaders; body: any }> = [];
let server: Server;
let p: Platform;
let redis: Redis;
let maintenance: Queue;
let ws: { workspaceId: string; key: string };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  p = await startPlatform({
    now: new Date('2026-12-01T12:00:00Z'),
    env: { WORKER_QUEUES: 'ingest,maintenance,alerts', ROLLUP_WARM_EVERY_MS: '0', RETENTION_EVERY_MS: '0', ALERT_EGRESS_ALLOW: host },
  });
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  maintenance = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: p.env.QUEUE_PREFIX });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const call = (at: string, model: string, cost: string) => ({ occurred_at: at, provider: 'openai', model, cost, currency: 'USD', usage: { input_tokens: 10, output_tokens: 5 } });
  await ingestAndWait(p, ws, [
    call('2026-11-29T10:00:00Z', 'gpt-4o-mini', '0.8'),
    call('2026-11-30T08:00:00Z', 'gpt-4o-mini', '1.000000001'),
    call('2026-11-30T09:00:00Z', 'gpt-4o', '0.25'),
  ]);
  const channel = await graphqlData(p.apiUrl, ws.key, 'mutation ($i: AlertChannelInput!) { createAlertChannel(input: $i) { id } }',
    { i: { name: 'finance', type: 'webhook', target: `http://${host}/variance` } });
  expect(channel.createAlertChannel.id).toBeTruthy();
}, 240_000);
afterAll(async () => {
  await maintenance?.close();
  redis?.disconnect();
  await p?.stop();
  server?.close();
});

const upload = () => fetch(`${p.apiUrl}/v1/bills/openai`, {
  method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' }, body: openAiBill,
});
const SET = 'mutation ($percent: String) { setBillVarianceThreshold(percent: $percent) }';
const checksDone = async () => (await maintenance.getJobs(['completed'])).filter((j) => j.name === 'check-bill-variance').length;

/** Per UTC day: billed (all lines) and tracked (the provider's events), from SQL alone. */
async function truth(day: string) {
  const { rows: [t] } = await p.pool.query(
    `SELECT (SELECT sum(amount) FROM provider_bill_lines WHERE workspace_id = $1 AND day = $2::date)::text AS billed,
            (SELECT sum(total_cost) FROM usage_events WHERE workspace_id = $1 AND provider = 'openai'
              AND (occurred_at AT TIME ZONE 'UTC')::date = $2::date)::text AS tracked`, [ws.workspaceId, day]);
  return t as { billed: string; tracked: string };
}

it('a threshold is a percent above 0, audited; a bad one is refused naming the argument', async () => {
  const bad = await graphqlRequest(p.apiUrl, ws.key, SET, { percent: 'ten' });
  expect(bad.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'percent' });
  expect((await graphqlData(p.apiUrl, ws.key, SET, { percent: '27' })).setBillVarianceThreshold).toBe('27');
  const { rows } = await p.pool.query(`SELECT after->>'bill_variance_threshold' AS t FROM audit_log WHERE workspace_id = $1 AND action = 'setBillVarianceThreshold'`, [ws.workspaceId]);
  expect(rows.map((r) => r.t)).toEqual(['27']);
});

it('a day whose variance share exceeds the threshold alerts through the webhook channel, once', async () => {
  expect((await upload()).status).toBe(201);
  await waitFor(async () => received.length >= 1, 120_000, 'the variance alert to reach the webhook');
  // 2026-11-29: (1.0823… − 0.8) / 1.0823… = 26.1 % stays under 27 %; 2026-11-30: 29.4 % goes over.
  const [hook] = received;
  expect(hook!.headers['x-spendgraph-event']).toBe('bill.variance_exceeded');
  const t = await truth('2026-11-30');
  const variance = new Decimal(t.billed).minus(t.tracked);
  expect(hook!.body).toMatchObject({
    type: 'bill.variance_exceeded', workspace_id: ws.workspaceId, day: '2026-11-30', provider: 'openai', currency: 'USD',
    billed: t.billed, tracked: t.tracked, variance: variance.toFixed(), variance_share: variance.dividedBy(t.billed).toDecimalPlaces(6).toFixed(6),
    threshold_percent: '27',
  });
  const under = await truth('2026-11-29');
  expect(new Decimal(under.billed).minus(under.tracked).dividedBy(under.billed).lessThan('0.27')).toBe(true);

  // Importing the same days again checks them again, but the day already alerted.
  expect((await upload()).status).toBe(201);
  await waitFor(async () => (await checksDone()) >= 2, 60_000, 'the second variance check');
  const alerts = await graphqlData(p.apiUrl, ws.key, '{ billVarianceAlerts { day provider varianceShare threshold } }');
  expect(alerts.billVarianceAlerts).toEqual([{ day: '2026-11-30', provider: 'openai', varianceShare: hook!.body.variance_share, threshold: '27' }]);
  const { rows } = await p.pool.query(`SELECT status FROM bill_variance_deliveries WHERE workspace_id = $1`, [ws.workspaceId]);
  expect(rows).toEqual([{ status: 'delivered' }]);
  expect(received).toHaveLength(1);
});

it('a delivery whose job was lost is queued again under its own job name and delivered', async () => {
  const { rows: [{ id }] } = await p.pool.query(`UPDATE bill_variance_deliveries SET status = 'pending', updated_at = now() - interval '10 minutes'
    WHERE workspace_id = $1 RETURNING id`, [ws.workspaceId]);
  const alerts = createAlertsQueue(redis, { prefix: p.env.QUEUE_PREFIX });
  try {
    const { requeued } = await requeueStaleDeliveries({ pool: p.pool, table: 'bill_variance_deliveries', queue: alerts, jobName: DELIVER_VARIANCE_JOB }, 5 * 60_000);
    expect(requeued).toBeGreaterThanOrEqual(1);
    await waitFor(async () => received.length >= 2, 60_000, 'the requeued delivery');
    expect(received[1]!.headers['x-spendgraph-delivery']).toBe(id);
    expect((await alerts.getJob(id))?.name).toBe(DELIVER_VARIANCE_JOB);
  } finally {
    await alerts.close();
  }
});

it('without a threshold nothing alerts', async () => {
  expect((await graphqlData(p.apiUrl, ws.key, SET, { percent: null })).setBillVarianceThreshold).toBeNull();
  await p.pool.query('DELETE FROM bill_variance_alerts WHERE workspace_id = $1', [ws.workspaceId]);
  const before = await checksDone();
  expect((await upload()).status).toBe(201);
  await waitFor(async () => (await checksDone()) > before, 60_000, 'the variance check');
  const { rows } = await p.pool.query('SELECT count(*)::int AS n FROM bill_variance_alerts WHERE workspace_id = $1', [ws.workspaceId]);
  expect(rows[0].n).toBe(0);
});
