// The insights jobs end to end in process: real BullMQ queues worked by the real
// processors, events ingested through the API, the report delivered to a signed
// webhook on loopback. Jobs name their workspace (the database is shared with
// other test files); the schedule's fan-out is only checked to queue, not run.
import { createHmac, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Job, Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { insertAlertChannel, listAnomalies, listReportDeliveries, listReports } from '@spendgraph/db';
import { insightsSettings } from '@spendgraph/insights';
import {
  EVALUATE_ALERT_RULES_JOB, createAlertsQueue, DETECT_ANOMALIES_JOB, INSIGHTS_QUEUE, MORNING_REPORT_JOB, REPORTS_QUEUE, type Redis, createInsightsQueue, createReportsQueue, insightsQueue,
  redisConnection,
} from '@spendgraph/queue';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { type Platform, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { dayOfSessions, ingest, otherDays } from '../../../packages/insights/test/fixture.ts';
import { createSender } from '../src/channels/index.ts';
import { channelsConfig } from '../src/config.ts';
import { deliverReportProcessor } from '../src/processors/deliver-report.ts';
import { detectAnomaliesProcessor } from '../src/processors/detect-anomalies.ts';
import { evaluateAlertRulesProcessor } from '../src/processors/evaluate-alert-rules.ts';
import { morningReportProcessor } from '../src/processors/morning-report.ts';
import { backfilledDays } from '../src/backfill.ts';
import { routeJobs } from '../src/route-jobs.ts';
import { type Mail, mailParts, parseMail, startSmtp } from './smtp.ts';

let p: Platform;
let semantic: SemanticLayer;
let ws: { workspaceId: string; key: string };
const connections: Redis[] = [];
const closers: Array<() => Promise<unknown>> = [];
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let insights: Queue;
let webhook: string;
const mails: Mail[] = [];
let smtpUrl: string;
const WEB_URL = 'https://spendgraph.example.test';

const prefix = `sg-test-${randomUUID()}`;
const log = pino({ level: 'silent' });
const settings = insightsSettings({ MORNING_REPORT_TIME: '07:00', MORNING_REPORT_TIMEZONE: 'UTC' });
const connection = () => {
  const c = redisConnection(inject('redisUrl'), 'worker');
  connections.push(c);
  return c;
};

beforeAll(async () => {
  p = await startPlatform();
  semantic = await createSemanticLayer({ databaseUrl: inject('databaseUrl') });
  ws = await workspaceWithKey(p.pool);
  await ingest(p, ws, [...dayOfSessions(), ...otherDays()]);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise((r) => server.close(r)));
  webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const smtp = await startSmtp(mails);
  smtpUrl = smtp.url;
  closers.push(() => new Promise((r) => smtp.server.close(() => r(undefined))));

  insights = createInsightsQueue(connection(), { prefix });
  const deliveries = createReportsQueue(connection(), { prefix, defaultJobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 100 } } });
  const detect = detectAnomaliesProcessor({ pool: p.pool, semantic, settings: settings.anomalies, log, now: () => new Date('2026-10-10T23:00:00Z') });
  const report = morningReportProcessor({ pool: p.pool, semantic, settings, queue: insights, deliveries, log });
  // Every job name of the queue has its processor (alert rules are tested in alert-rules.test.ts).
  const alerts = createAlertsQueue(connection(), { prefix });
  const rules = evaluateAlertRulesProcessor({ pool: p.pool, semantic, alerts, log });
  const workers = [
    new Worker(INSIGHTS_QUEUE, routeJobs(insightsQueue, { [DETECT_ANOMALIES_JOB]: detect, [MORNING_REPORT_JOB]: report, [EVALUATE_ALERT_RULES_JOB]: rules }), { connection: connection(), prefix }),
    new Worker(REPORTS_QUEUE, deliverReportProcessor({
      pool: p.pool, webUrl: WEB_URL, send: createSender(channelsConfig({ ALERT_EGRESS_ALLOW: new URL(webhook).host, SMTP_URL: smtpUrl })),
    }), { connection: connection(), prefix }),
  ];
  closers.push(() => Promise.all(workers.map((w) => w.close())), () => insights.close(), () => deliveries.close(), () => alerts.close());
  closers.push(async () => {
    for (const name of [INSIGHTS_QUEUE, REPORTS_QUEUE]) {
      const q = new Queue(name, { connection: connection(), prefix });
      await q.obliterate({ force: true });
      await q.close();
    }
  });
});
afterAll(async () => {
  for (const close of closers) await close();
  for (const c of connections) c.disconnect();
  await semantic?.close();
  await p?.stop();
});

it('the anomaly job flags the workspace sessions and tasks', async () => {
  const job = await insights.add(DETECT_ANOMALIES_JOB, { workspaceId: ws.workspaceId });
  await waitFor(async () => (await job.getState()) === 'completed', 30_000, 'the detection job');
  expect(await listAnomalies(p.pool, ws.workspaceId)).toHaveLength(8);
});

it('a job with a range detects every window of it (past days on demand, back-filled days)', async () => {
  const job = await insights.add(DETECT_ANOMALIES_JOB, { workspaceId: ws.workspaceId, from: '2026-10-01T00:00:00Z', to: '2026-10-11T00:00:00Z' });
  await waitFor(async () => (await job.getState()) === 'completed', 60_000, 'the range job');
  // Ten days instead of the two around now; the same 8 anomalies (all on Oct 10), none added or removed.
  expect((await insights.getJob(job.id!))?.returnvalue).toMatchObject({ workspaces: 1, windows: 10, anomalies: 8 });
  const bad = await insights.add(DETECT_ANOMALIES_JOB, { workspaceId: ws.workspaceId, from: '2026-10-11T00:00:00Z', to: '2026-10-01T00:00:00Z' });
  await waitFor(async () => (await bad.getState()) === 'failed', 30_000, 'the bad range job');
  expect((await insights.getJob(bad.id!))?.failedReason).toContain('from must be before to');
});

it('ingesting events of past days queues their detection (back-filled history)', async () => {
  // The platform's own worker stored the fixture (Oct 2-10) long after those days: one delayed job per day.
  const queue = new Queue(INSIGHTS_QUEUE, { connection: connection(), prefix: p.env.QUEUE_PREFIX });
  try {
    const jobs = (await queue.getDelayed()).filter((j) => j.data?.workspaceId === ws.workspaceId);
    expect(jobs.map((j) => [j.name, j.data.from, j.data.to]).sort()).toEqual([
      [DETECT_ANOMALIES_JOB, '2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z'],
      [DETECT_ANOMALIES_JOB, '2026-10-04T00:00:00.000Z', '2026-10-05T00:00:00.000Z'],
      [DETECT_ANOMALIES_JOB, '2026-10-09T00:00:00.000Z', '2026-10-10T00:00:00.000Z'],
      [DETECT_ANOMALIES_JOB, '2026-10-10T00:00:00.000Z', '2026-10-11T00:00:00.000Z'],
    ]);
    // Days before yesterday (UTC, a day's margin for detection time zones) only: the schedule scans the others.
    const at = (d: string) => ({ occurred_at: `${d}T08:00:00Z` });
    expect(backfilledDays([at('2026-10-11'), at('2026-10-10'), at('2026-10-09'), at('2026-10-09')], new Date('2026-10-12T10:00:00Z'))).toEqual(['2026-10-09']);
  } finally {
    await queue.close();
  }
});

it('the morning report is written once and delivered to a signed webhook', async () => {
  const channel = await insertAlertChannel(p.pool, ws.workspaceId, { name: 'hook', type: 'webhook', target: webhook, budgetId: null, secret: 'whsec_test' });
  const mailChannel = await insertAlertChannel(p.pool, ws.workspaceId, { name: 'finance', type: 'email', target: 'finance@example.test', budgetId: null, secret: null });
  const at = '2026-10-11T07:00:00.000Z';
  await insights.add(MORNING_REPORT_JOB, { workspaceId: ws.workspaceId, at });
  await waitFor(async () => received.length > 0, 30_000, 'the report delivery');
  const [report] = await listReports(p.pool, ws.workspaceId);
  expect(report).toMatchObject({ forDate: '2026-10-10', kind: 'morning' });

  const [hit] = received;
  expect(hit!.headers['x-spendgraph-event']).toBe('report.morning');
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(hit!.headers['x-spendgraph-signature']))!;
  expect(createHmac('sha256', 'whsec_test').update(`${t}.${hit!.body}`).digest('hex')).toBe(v1);
  const payload = JSON.parse(hit!.body);
  expect(payload).toMatchObject({ type: 'report.morning', report_id: report!.id, workspace_id: ws.workspaceId, for_date: '2026-10-10' });
  expect(payload.markdown).toContain('- **Yesterday:** USD 20.90 over 31 calls');
  expect(payload.figures.last7Days.cost).toBe('26.9');
  const delivered = async () => (await listReportDeliveries(p.pool, ws.workspaceId, [report!.id])).filter((d) => d.status === 'delivered');
  await waitFor(async () => (await delivered()).length === 2, 30_000, 'the delivery log');
  expect((await delivered()).find((d) => d.channelId === channel.id)).toMatchObject({ attempts: 1, lastStatus: 204 });
  expect((await delivered()).find((d) => d.channelId === mailChannel.id)).toMatchObject({ attempts: 1 });

  // The e-mail: HTML with the figures, bars and links into the web app; the Markdown as its text alternative.
  expect(mails).toHaveLength(1);
  expect(parseMail(mails[0]!.raw).subject).toBe('[Spendgraph] Morning report for 2026-10-10');
  const parts = mailParts(mails[0]!.raw);
  expect(parts['text/plain']).toContain('- **Yesterday:** USD 20.90 over 31 calls');
  const html = parts['text/html']!;
  expect(html).toContain('<div style="font-size:22px;font-weight:600">USD 20.90</div>');
  expect(html).toContain(`<a href="${WEB_URL}/reports/${report!.id}"`);
  expect(html).toContain(`href="${WEB_URL}/explore?m=total_cost%2Ccalls&amp;by=model&amp;from=`);
  expect(html).toContain('>WI-7</a>');
  expect(html).toContain(`href="${WEB_URL}/anomalies?kind=session&amp;subject=sub-1&amp;status=all"`);
  expect(html).toContain('subagent work USD 1.26');
  expect(html).not.toMatch(/\*\*|^#/m);

  // The same day again (a second firing, a retry): nothing new is written or sent.
  const again = await insights.add(MORNING_REPORT_JOB, { workspaceId: ws.workspaceId, at: '2026-10-11T08:00:00.000Z' });
  await waitFor(async () => (await again.getState()) === 'completed', 30_000, 'the second report job');
  expect((await insights.getJob(again.id!))?.returnvalue).toMatchObject({ created: false, deliveries: 0 });
  expect(await listReports(p.pool, ws.workspaceId)).toHaveLength(1);
  expect(received).toHaveLength(1);
  expect(mails).toHaveLength(1);
});

it('the scheduled job queues one report job per workspace and date', async () => {
  // A queue nobody works: the fan-out is checked, the reports of other test files' workspaces are not written.
  const idle = createInsightsQueue(connection(), { prefix: `${prefix}-idle` });
  const report = morningReportProcessor({ pool: p.pool, semantic, settings, queue: idle, deliveries: createReportsQueue(connection(), { prefix: `${prefix}-idle` }), log });
  const result = await report({ data: {}, timestamp: Date.parse('2026-10-11T07:00:00Z') } as Job);
  expect(result.queued).toBeGreaterThanOrEqual(1);
  const job = await idle.getJob(`morning-report:${ws.workspaceId}:2026-10-10`);
  expect(job?.data).toEqual({ workspaceId: ws.workspaceId, at: '2026-10-11T07:00:00.000Z' });
  await idle.obliterate({ force: true });
  await idle.close();
});
