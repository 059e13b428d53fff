// Budget alert delivery end to end: alerts recorded in TimescaleDB, jobs on a real
// BullMQ queue worked by the real processor, received by HTTP and SMTP servers on loopback.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Queue, Worker } from 'bullmq';
import type { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import {
  type AlertChannel, type AlertDelivery, type NewBudgetAlert, type Pool, createPool, ensureWorkspace, getAlert,
  insertAlertChannel, insertBudget, listDeliveries, recordAlert, withTransaction,
} from '@spendgraph/db';
import {
  ALERTS_QUEUE, DELIVERY_JOB_OPTIONS, type DeliveryJobData, type Redis, createAlertsQueue, queueDeliveries, redisConnection,
} from '@spendgraph/queue';
import { waitFor } from '@spendgraph/test-support/platform';
import { type Resolve, SMTP_NOT_CONFIGURED, createSender } from '../src/channels/index.ts';
import { channelsConfig } from '../src/config.ts';
import { deliverAlertProcessor } from '../src/processors/deliver-alert.ts';
import { type Mail, parseMail, startSmtp } from './smtp.ts';
import { requeueStaleDeliveries } from '../src/processors/deliver.ts';

// ---------------------------------------------------------------------------
// Receivers

interface Received { path: string; headers: IncomingHttpHeaders; body: string }

/** An HTTP endpoint per path answering a script of statuses (the last one repeats). */
class Receiver {
  readonly requests: Received[] = [];
  private readonly scripts = new Map<string, number[]>();
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests.push({ path: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const script = this.scripts.get(req.url!) ?? [404];
      const status = script.length > 1 ? script.shift()! : script[0]!;
      // Redirects point at a path of this same server: following one would show in `requests`.
      const location = status >= 300 && status < 400 ? { location: `${this.url}/redirected` } : {};
      res.writeHead(status, { 'content-type': 'text/plain', ...location }).end(status < 300 ? 'ok' : 'internal text: db password hunter2');
    });
  });
  url = '';

  async start() {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new endpoint answering `statuses` in turn. */
  endpoint(...statuses: number[]): string {
    const path = `/${randomUUID()}`;
    this.scripts.set(path, statuses);
    return `${this.url}${path}`;
  }

  to(url: string): Received[] {
    return this.requests.filter((r) => url.endsWith(r.path));
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

function verifySignature(header: string | string[] | undefined, secret: string, rawBody: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header));
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${rawBody}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(m[1])) <= 300;
  return fresh && timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

// ---------------------------------------------------------------------------
// Delivery pipelines: a queue of their own and the real processor in a BullMQ worker.

interface Pipeline { queue: Queue<DeliveryJobData>; close(): Promise<void> }

function startPipeline(env: NodeJS.ProcessEnv, resolve?: Resolve): Pipeline {
  const prefix = `sg-test-${randomUUID()}`;
  const connections: Redis[] = [redisConnection(inject('redisUrl'), 'worker'), redisConnection(inject('redisUrl'), 'worker')];
  const queue = createAlertsQueue(connections[0]!, {
    prefix,
    defaultJobOptions: { ...DELIVERY_JOB_OPTIONS, backoff: { type: 'exponential', delay: 100 } },
  });
  const worker = new Worker(ALERTS_QUEUE, deliverAlertProcessor({ pool, send: createSender({ ...channelsConfig(env), resolve }) }), {
    connection: connections[1]!,
    prefix,
    concurrency: 4,
  });
  return {
    queue,
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await Promise.all(connections.map((c) => c.quit()));
    },
  };
}

// ---------------------------------------------------------------------------

let pool: Pool;
let workspaceId: string;
let receiver: Receiver;
let smtp: SMTPServer;
const mails: Mail[] = [];
let main: Pipeline; // with SMTP configured
let noSmtp: Pipeline;
let guarded: Pipeline; // no allow-list, names resolved by `resolver`
let allowing: Pipeline; // the same resolver, hooks.internal:<receiver port> allow-listed

/** A resolver under the test's control: host -> addresses, counting the lookups of each host. */
const dns = new Map<string, string[] | (() => string[])>();
const lookups = new Map<string, number>();
const resolver: Resolve = async (host) => {
  lookups.set(host, (lookups.get(host) ?? 0) + 1);
  const entry = dns.get(host);
  const addresses = typeof entry === 'function' ? entry() : entry;
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'));
  workspaceId = (await ensureWorkspace(pool, `alerts-${randomUUID().slice(0, 8)}`)).id;
  receiver = new Receiver();
  await receiver.start();
  const started = await startSmtp(mails);
  smtp = started.server;
  // The receiver listens on loopback: only the operator's allow-list lets deliveries reach it.
  const receiverHost = new URL(receiver.url).host;
  main = startPipeline({ SMTP_URL: started.url, ALERTS_EMAIL_FROM: 'budgets@spendgraph.test', ALERT_WEBHOOK_TIMEOUT_MS: '5000', ALERT_EGRESS_ALLOW: receiverHost });
  noSmtp = startPipeline({});
  guarded = startPipeline({ ALERT_WEBHOOK_TIMEOUT_MS: '2000' }, resolver);
  allowing = startPipeline({ ALERT_WEBHOOK_TIMEOUT_MS: '2000', ALERT_EGRESS_ALLOW: `hooks.internal:${new URL(receiver.url).port}` }, resolver);
});

afterAll(async () => {
  await main?.close();
  await noSmtp?.close();
  await guarded?.close();
  await allowing?.close();
  await receiver?.close();
  await new Promise((r) => smtp ? smtp.close(() => r(undefined)) : r(undefined));
  await pool?.end();
});

type ChannelSpec = Pick<AlertChannel, 'type' | 'target'> & { secret?: string };

const THRESHOLD_ALERT = {
  kind: 'threshold' as const, threshold: 90, periodKey: '2026-11-01T00:00:00.000Z',
  periodStart: '2026-11-01T00:00:00.000Z', periodEnd: '2026-12-01T00:00:00.000Z',
  spend: '90.125', amount: '100', currency: 'USD', projectedSpend: '120.5', projectedCrossingAt: '2026-11-24T06:00:00.000Z',
};

/** A budget with its own channels and one recorded alert: the delivery id of each channel, in order. */
async function fireAlert(channels: ChannelSpec[], opts: { budgetName?: string; alert?: Partial<NewBudgetAlert> } = {}) {
  const budget = await insertBudget(pool, workspaceId, {
    name: opts.budgetName ?? 'Team A', scope: [], wholeWorkspace: true, period: 'monthly', rollingDays: null, rollingHours: null, unit: 'cost', timezone: 'UTC',
    amount: '100', currency: 'USD', thresholds: [50, 90], forecastAlerts: true, mode: 'soft',
  });
  const created: AlertChannel[] = [];
  for (const c of channels) {
    created.push(await insertAlertChannel(pool, workspaceId, { budgetId: budget.id, name: c.type, type: c.type, target: c.target, secret: c.secret ?? null }));
  }
  const recorded = await withTransaction(pool, (tx) => recordAlert(tx, { workspaceId, budgetId: budget.id, ...THRESHOLD_ALERT, ...opts.alert }));
  const alertId = recorded!.alertId;
  const rows = await listDeliveries(pool, workspaceId, [alertId]);
  const deliveryIds = created.map((c) => rows.find((d) => d.channelId === c.id)!.id);
  return { alertId, deliveryIds, channels: created };
}

async function settled(alertId: string, deliveryId: string): Promise<AlertDelivery> {
  return waitFor(async () => {
    const d = (await listDeliveries(pool, workspaceId, [alertId])).find((r) => r.id === deliveryId);
    return d && d.status !== 'pending' && d;
  }, 20_000, `delivery ${deliveryId} to settle`);
}

// ---------------------------------------------------------------------------

it('POSTs the signed alert JSON to a webhook, once', async () => {
  const url = receiver.endpoint(200);
  const { alertId, deliveryIds: [id] } = await fireAlert([{ type: 'webhook', target: url, secret: 'whsec-1' }]);
  await queueDeliveries(main.queue, [id!]);

  const d = await settled(alertId, id!);
  expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, lastError: null });
  expect(d.deliveredAt).not.toBeNull();

  const [req, ...more] = receiver.to(url);
  expect(more).toHaveLength(0);
  expect(req!.headers).toMatchObject({
    'content-type': 'application/json', 'user-agent': 'Spendgraph-Alerts/1',
    'x-spendgraph-event': 'budget.threshold_crossed', 'x-spendgraph-delivery': id,
  });
  expect(verifySignature(req!.headers['x-spendgraph-signature'], 'whsec-1', req!.body)).toBe(true);
  expect(verifySignature(req!.headers['x-spendgraph-signature'], 'another-secret', req!.body)).toBe(false);
  expect(verifySignature(req!.headers['x-spendgraph-signature'], 'whsec-1', req!.body.replace('90.125', '9.125'))).toBe(false);
  expect(JSON.parse(req!.body)).toMatchObject({
    type: 'budget.threshold_crossed', alert_id: alertId, workspace_id: workspaceId, budget: { name: 'Team A' },
    kind: 'threshold', threshold: 90, spend: '90.125', amount: '100', currency: 'USD', percent_used: 90.13,
    period: { key: THRESHOLD_ALERT.periodKey, start: THRESHOLD_ALERT.periodStart, end: THRESHOLD_ALERT.periodEnd },
    projected_spend: '120.5', projected_crossing_at: THRESHOLD_ALERT.projectedCrossingAt,
    summary: 'Budget "Team A" reached 90%',
  });

  // Queued again (its finished job removed), a delivered alert is not sent twice.
  await (await main.queue.getJob(id!))!.remove();
  await queueDeliveries(main.queue, [id!]);
  const again = await waitFor(async () => {
    const job = await main.queue.getJob(id!);
    return job && (await job.getState()) === 'completed' && job;
  }, 10_000, 'the duplicate job');
  expect(again.returnvalue).toEqual({ status: 'skipped', reason: 'already delivered' });
  expect(receiver.to(url)).toHaveLength(1);
});

it('retries a failing endpoint with backoff until it answers, under one delivery id', async () => {
  const url = receiver.endpoint(500, 500, 200);
  const { alertId, deliveryIds: [id] } = await fireAlert([{ type: 'webhook', target: url, secret: 'whsec-2' }]);
  await queueDeliveries(main.queue, [id!]);

  expect(await settled(alertId, id!)).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200, lastError: null });
  const reqs = receiver.to(url);
  expect(reqs).toHaveLength(3);
  expect(new Set(reqs.map((r) => r.headers['x-spendgraph-delivery']))).toEqual(new Set([id]));
  for (const r of reqs) expect(verifySignature(r.headers['x-spendgraph-signature'], 'whsec-2', r.body)).toBe(true);
});

it('gives up at once on a 404, and after the last attempt on persistent 5xx', async () => {
  const gone = receiver.endpoint(404);
  const down = receiver.endpoint(503);
  const { alertId, deliveryIds: [goneId, downId] } = await fireAlert([
    { type: 'webhook', target: gone, secret: 'whsec-3' },
    { type: 'webhook', target: down, secret: 'whsec-3' },
  ]);
  await main.queue.add('deliver-alert', { deliveryId: downId! }, { jobId: downId!, attempts: 2 });
  await queueDeliveries(main.queue, [goneId!]);

  expect(await settled(alertId, goneId!)).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 404, lastError: 'HTTP 404' });
  const job = (await main.queue.getJob(goneId!))!;
  expect(await job.getState()).toBe('failed');
  expect(job.attemptsMade).toBe(1);
  expect(receiver.to(gone)).toHaveLength(1);

  expect(await settled(alertId, downId!)).toMatchObject({ status: 'failed', attempts: 2, lastStatus: 503, lastError: 'HTTP 503' });
  expect(receiver.to(down)).toHaveLength(2);
});

it('reports a forecast: when the limit is projected to be crossed', async () => {
  const url = receiver.endpoint(200);
  const { alertId, deliveryIds: [id] } = await fireAlert([{ type: 'webhook', target: url, secret: 'whsec-4' }], {
    alert: { kind: 'forecast', threshold: null, spend: '60', projectedSpend: '130.004', projectedCrossingAt: '2026-11-21T12:00:00.000Z' },
  });
  await queueDeliveries(main.queue, [id!]);
  await settled(alertId, id!);
  expect(JSON.parse(receiver.to(url)[0]!.body)).toMatchObject({
    kind: 'forecast', threshold: null, spend: '60', percent_used: 60, projected_spend: '130.004',
    projected_crossing_at: '2026-11-21T12:00:00.000Z', summary: 'Budget "Team A" is projected to exceed its limit on 2026-11-21',
  });
});

it('reports a plan forecast with its calibrated probability', async () => {
  const url = receiver.endpoint(200);
  const { alertId, deliveryIds: [id] } = await fireAlert([{ type: 'webhook', target: url, secret: 'whsec-5' }], {
    alert: { kind: 'forecast', threshold: null, spend: '60', projectedSpend: '130.004', projectedCrossingAt: null, exceedProbability: 0.73 },
  });
  await queueDeliveries(main.queue, [id!]);
  await settled(alertId, id!);
  expect(JSON.parse(receiver.to(url)[0]!.body)).toMatchObject({
    kind: 'forecast', exceed_probability: 0.73, summary: 'Budget "Team A" is 73% likely to exceed its limit',
  });
});

it('posts text and an mrkdwn block to a Slack-compatible webhook', async () => {
  const url = receiver.endpoint(200);
  const { alertId, deliveryIds: [id] } = await fireAlert([{ type: 'slack', target: url }], { budgetName: 'Ops & <infra>' });
  await queueDeliveries(main.queue, [id!]);

  expect(await settled(alertId, id!)).toMatchObject({ status: 'delivered', attempts: 1 });
  const body = JSON.parse(receiver.to(url)[0]!.body);
  const { occurredAt } = (await getAlert(pool, alertId))!;
  expect(body.text).toBe([
    '*Budget "Ops &amp; &lt;infra&gt;" reached 90%*',
    '',
    '- Spend: USD 90.13 of 100.00 (90.1% used)',
    '- Period: 2026-11-01 00:00 UTC to 2026-12-01 00:00 UTC',
    '- Projected spend: USD 120.50',
    '- Projected to cross the limit: 2026-11-24 06:00 UTC',
    `- Time: ${occurredAt.slice(0, 10)} ${occurredAt.slice(11, 16)} UTC`,
  ].join('\n'));
  expect(body.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: body.text } }]);
});

it('e-mails through the configured SMTP server', async () => {
  const { alertId, deliveryIds: [id] } = await fireAlert([{ type: 'email', target: 'finance@example.test' }], { budgetName: 'Team Mail' });
  await queueDeliveries(main.queue, [id!]);

  expect(await settled(alertId, id!)).toMatchObject({ status: 'delivered', attempts: 1, lastError: null });
  const mail = mails.find((m) => m.raw.includes(id!))!;
  expect(mail).toMatchObject({ from: 'budgets@spendgraph.test', to: ['finance@example.test'], user: 'alerts' });
  const { subject, text } = parseMail(mail.raw);
  expect(subject).toBe('[Spendgraph] Budget "Team Mail" reached 90% (USD 90.13 of 100.00)');
  expect(text).toContain('**Budget "Team Mail" reached 90%**\n\n- Spend: USD 90.13 of 100.00 (90.1% used)\n- Period: 2026-11-01 00:00 UTC to 2026-12-01 00:00 UTC');
});

it('fails an e-mail delivery at once when the worker has no SMTP_URL', async () => {
  const { alertId, deliveryIds: [id] } = await fireAlert([{ type: 'email', target: 'finance@example.test' }]);
  await queueDeliveries(noSmtp.queue, [id!]);
  expect(await settled(alertId, id!)).toMatchObject({ status: 'failed', attempts: 1, lastStatus: null, lastError: SMTP_NOT_CONFIGURED });
  expect(SMTP_NOT_CONFIGURED).toBe('SMTP_URL is not configured on the worker');
});

it('sends nothing to a channel disabled after the alert fired', async () => {
  const url = receiver.endpoint(200);
  const { alertId, deliveryIds: [id], channels: [channel] } = await fireAlert([{ type: 'webhook', target: url, secret: 'whsec-5' }]);
  await pool.query('UPDATE alert_channels SET enabled = false WHERE id = $1', [channel!.id]);
  await queueDeliveries(main.queue, [id!]);
  expect(await settled(alertId, id!)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'channel is disabled' });
  expect(receiver.to(url)).toHaveLength(0);
});

it('queues stale pending deliveries again, even over a finished job of the same id', async () => {
  const url = receiver.endpoint(200);
  const { alertId, deliveryIds: [id] } = await fireAlert([{ type: 'webhook', target: url, secret: 'whsec-6' }]);
  // Its job was lost long ago; a finished job (here one that found nothing to do) still holds its id.
  await pool.query(`UPDATE alert_deliveries SET updated_at = now() - interval '30 days' WHERE id = $1`, [id]);
  await main.queue.add('deliver-alert', { deliveryId: randomUUID() }, { jobId: id! });
  await waitFor(async () => (await (await main.queue.getJob(id!))?.getState()) === 'completed', 10_000, 'the stale job');
  expect(receiver.to(url)).toHaveLength(0);

  // Older than 29 days: only this test's row, whatever other test files leave pending meanwhile.
  expect(await requeueStaleDeliveries({ pool, table: 'alert_deliveries', queue: main.queue }, 29 * 86_400_000)).toEqual({ requeued: 1 });
  expect(await settled(alertId, id!)).toMatchObject({ status: 'delivered', attempts: 1 });
  expect(receiver.to(url)).toHaveLength(1);
});

// ---------------------------------------------------------------------------
// The worker is no proxy into the network: channel URLs are the tenant's.

it('refuses internal addresses in every spelling, without connecting', async () => {
  const port = new URL(receiver.url).port;
  const targets = [
    `http://127.0.0.1:${port}/a`, `http://127.1:${port}/b`, `http://0x7f000001:${port}/c`, `http://2130706433:${port}/d`,
    `http://0177.0.0.1:${port}/e`, `http://[::1]:${port}/f`, `http://[::ffff:127.0.0.1]:${port}/g`, `http://[::ffff:7f00:1]:${port}/h`,
    `http://0.0.0.0:${port}/i`, 'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'http://10.0.0.1/', 'http://192.168.1.1/',
    'http://172.16.0.1/', 'http://100.64.0.1/', 'http://224.0.0.1/', 'http://[fd00::1]/', 'http://[::]/', 'http://[2002:7f00:1::]/',
    'http://[64:ff9b::a9fe:a9fe]/', 'https://[::ffff:a9fe:a9fe]/',
  ];
  const { alertId, deliveryIds } = await fireAlert(targets.map((target) => ({ type: 'webhook' as const, target, secret: 'whsec-ssrf' })));
  await queueDeliveries(guarded.queue, deliveryIds);
  for (const [i, id] of deliveryIds.entries()) {
    const d = await settled(alertId, id);
    expect(d, targets[i]).toMatchObject({ status: 'failed', attempts: 1, lastStatus: null });
    expect(d.lastError, targets[i]).toMatch(/^refused: .* is an internal address \(\w+\)/);
  }
  expect(receiver.requests.filter((r) => /^\/[a-i]$/.test(r.path))).toHaveLength(0);
});

it('refuses host names that resolve inside, a single internal answer included', async () => {
  const port = new URL(receiver.url).port;
  dns.set('metadata.test', ['169.254.169.254']);
  dns.set('db.test', ['::1']);
  dns.set('mixed.test', ['93.184.216.34', '10.0.0.5']);
  dns.set('mapped.test', ['::ffff:127.0.0.1']);
  dns.set('hooks.internal', ['127.0.0.1']);
  const targets = ['http://metadata.test/latest/meta-data/', `http://db.test:${port}/x`, `http://mixed.test:${port}/y`, `http://mapped.test:${port}/z`, `http://hooks.internal:${port}/w`];
  const slack = { type: 'slack' as const, target: `http://hooks.internal:${port}/slack` };
  const { alertId, deliveryIds } = await fireAlert([...targets.map((target) => ({ type: 'webhook' as const, target, secret: 'whsec-dns' })), slack]);
  await queueDeliveries(guarded.queue, deliveryIds);
  for (const id of deliveryIds) {
    const d = await settled(alertId, id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastStatus: null });
    expect(d.lastError).toMatch(/^refused: /);
  }
  expect(receiver.requests.filter((r) => ['/x', '/y', '/z', '/w', '/slack'].includes(r.path))).toHaveLength(0);
});

it('reaches an internal host on the operator allow-list, connecting to the address it checked', async () => {
  // The first answer is loopback (allowed by name); any later lookup would answer the metadata address.
  let answers = 0;
  dns.set('hooks.internal', () => (answers++ === 0 ? ['127.0.0.1'] : ['169.254.169.254']));
  lookups.delete('hooks.internal');
  const url = receiver.endpoint(200).replace('127.0.0.1', 'hooks.internal');
  const { alertId, deliveryIds: [id] } = await fireAlert([{ type: 'webhook', target: url, secret: 'whsec-allow' }]);
  await queueDeliveries(allowing.queue, [id!]);
  expect(await settled(alertId, id!)).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200 });
  const [req] = receiver.to(url);
  expect(req!.headers.host).toBe(new URL(url).host); // the name the tenant wrote, not the address
  expect(lookups.get('hooks.internal')).toBe(1);
});

it('follows no redirect and keeps no answer text', async () => {
  const moved = receiver.endpoint(302);
  const failing = receiver.endpoint(500);
  const { alertId, deliveryIds: [movedId, failingId] } = await fireAlert([
    { type: 'webhook', target: moved, secret: 'whsec-r' },
    { type: 'webhook', target: failing, secret: 'whsec-r' },
  ]);
  await main.queue.add('deliver-alert', { deliveryId: failingId! }, { jobId: failingId!, attempts: 1 });
  await queueDeliveries(main.queue, [movedId!]);
  expect(await settled(alertId, movedId!)).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 302, lastError: 'HTTP 302' });
  expect(await settled(alertId, failingId!)).toMatchObject({ status: 'failed', lastStatus: 500, lastError: 'HTTP 500' });
  expect(receiver.requests.filter((r) => r.path === '/redirected')).toHaveLength(0);
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM alert_deliveries WHERE workspace_id = $1 AND last_error LIKE '%hunter2%'`, [workspaceId]);
  expect(rows[0].n).toBe(0);
});
