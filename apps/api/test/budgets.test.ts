// Budget guardrails through the real API and worker: GraphQL management, the
// hard stop after an ingested batch, the guard check (REST and GraphQL), signed
// webhook delivery, and workspace isolation.
import { createHmac, randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { BUDGETS_QUEUE, EVALUATE_BUDGETS_JOB } from '@spendgraph/queue';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };
let budgetsQueue: Queue;
let redis: Redis;
/**
 * This file's webhook receiver, on loopback: the operator allow-list lets alerts reach its port. It
 * listens before the platform starts (a port picked free and bound later can be taken meanwhile);
 * the webhook tests set what it does with a request.
 */
let hooks: ReturnType<typeof createServer>;
let hookPort: number;
let onHook: (req: IncomingMessage, body: string, res: ServerResponse) => void = (_q, _b, res) => void res.writeHead(204).end();
/** The API's and worker's clock: budget periods are today's whatever the hour the suite runs at. */
const NOW = new Date('2026-12-02T10:44:00Z');

const BUDGET_FIELDS = `id name period mode amount currency thresholds state spend remaining percentUsed blocking
  projectedSpend periodStart periodEnd evaluatedAt scope { member operator values } wholeWorkspace`;

const gql = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlRequest(p.apiUrl, key, query, variables);

const ok = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, key, query, variables);

async function createBudget(key: string, input: Record<string, unknown>) {
  return (await ok(key, `mutation ($input: BudgetInput!) { createBudget(input: $input) { ${BUDGET_FIELDS} } }`, { input })).createBudget;
}

/** Ingests events through the API and waits until the worker stored them. */
const spend = (ws: { workspaceId: string; key: string }, events: Array<Record<string, unknown>>) =>
  ingestAndWait(p, ws, events.map((e) => ({ occurred_at: new Date(NOW.getTime() - 1000).toISOString(), provider: 'openai', model: 'gpt-4o', ...e })));

function guardCheck(key: string, params: Record<string, string>) {
  return fetch(`${p.apiUrl}/v1/guard/check?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${key}` } });
}

beforeAll(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => onHook(req, body, res));
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hookPort = (hooks.address() as { port: number }).port;
  p = await startPlatform({ worker: false, now: NOW, env: { ALERT_EGRESS_ALLOW: `127.0.0.1:${hookPort}` } });
  // No schedule: this file's evaluations are the ones it asks for (other files share the database).
  p.startWorker({ WORKER_QUEUES: 'ingest,budgets,alerts', BUDGET_EVAL_EVERY_MS: '0' });
  a = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  b = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  budgetsQueue = new Queue(BUDGETS_QUEUE, { connection: redis, prefix: p.env.QUEUE_PREFIX });
});
afterAll(async () => {
  await budgetsQueue?.close();
  redis?.disconnect();
  await p?.stop();
  await new Promise((r) => hooks?.close(r));
});

describe('scope values the workspace has never seen', () => {
  it('accepts a budget on a never-seen model with a warning naming the closest seen ones', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
    await spend(ws, [{ model: 'claude-sonnet-4-5', provider: 'anthropic', cost: '1' }, { model: 'claude-opus-4-1', provider: 'anthropic', cost: '1' }, { cost: '1' }]);
    const made = (await ok(ws.key, `mutation ($input: BudgetInput!) { createBudget(input: $input) { id scopeWarnings { path value message suggestions } } }`, {
      input: { name: 'sonnet cap', period: 'daily', amount: '5', mode: 'hard', scope: [{ member: 'model', values: ['claude-sonet', 'gpt-4o'] }] },
    })).createBudget;
    expect(made.scopeWarnings).toEqual([{
      path: 'scope[0].values[0]', value: 'claude-sonet', suggestions: ['claude-sonnet-4-5'],
      message: "no event of this workspace has model 'claude-sonet'; did you mean 'claude-sonnet-4-5'?",
    }]);
    const fixed = (await ok(ws.key, `mutation ($id: ID!) { updateBudget(id: $id, input: { scope: [{ member: "model", values: ["claude-sonnet-4-5"] }] }) { scopeWarnings { value } } }`, { id: made.id })).updateBudget;
    expect(fixed.scopeWarnings).toEqual([]);
  });
});

describe('bad budget input gets a clear error naming the field', () => {
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['a negative amount', { amount: '-5' }, 'input.amount', 'INVALID_ARGUMENT'],
    ['a zero amount', { amount: '0' }, 'input.amount', 'INVALID_ARGUMENT'],
    ['an unknown member', { scope: [{ member: 'favourite_colour', values: ['red'] }] }, 'input.scope[0].member', 'UNKNOWN_MEMBER'],
    ['a hidden member', { scope: [{ member: 'workspace_id', values: [randomUUID()] }] }, 'input.scope[0].member', 'INVALID_ARGUMENT'],
    ['an empty scope', { scope: [] }, 'input.scope', 'INVALID_ARGUMENT'],
    ['a rolling budget without its window', { period: 'rolling' }, 'input.rollingDays', 'INVALID_ARGUMENT'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'input.timezone', 'INVALID_ARGUMENT'],
    ['a threshold of 0', { thresholds: [0, 50] }, 'input.thresholds[0]', 'INVALID_ARGUMENT'],
  ];
  it.each(cases)('%s', async (_what, change, field, code) => {
    const input = { name: 'bad', period: 'monthly', amount: '10', scope: [{ member: 'user_id', values: ['ana'] }], ...change };
    const { body } = await gql(a.key, 'mutation ($input: BudgetInput!) { createBudget(input: $input) { id } }', { input });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code, field });
    expect(await ok(a.key, '{ budgets { id } }')).toEqual({ budgets: [] });
  });

  it('a channel with a bad target', async () => {
    const internal = ['http://127.1/', 'http://0x7f000001/', 'http://[::1]:5432/', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://[::ffff:a9fe:a9fe]/'];
    const bad = [['webhook', 'ftp://example.org/hook'], ['email', 'not-an-address'], ...internal.map((t) => ['webhook', t]), ['slack', 'http://192.168.0.1/']];
    for (const [type, target] of bad) {
      const { body } = await gql(a.key, 'mutation ($i: AlertChannelInput!) { createAlertChannel(input: $i) { id } }', { i: { name: 'x', type, target } });
      expect(body.errors?.[0]?.extensions, target).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.target' });
    }
    expect(await ok(a.key, '{ alertChannels { id } }')).toEqual({ alertChannels: [] });
  });

  it('a key without the admin scope cannot create budgets', async () => {
    const reader = await workspaceWithKey(p.pool, ['read']);
    const { body } = await gql(reader.key, 'mutation { createBudget(input: { name: "x", period: daily, amount: "1", wholeWorkspace: true }) { id } }');
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('a hard budget', () => {
  let budget: any;

  it('is created with its standing, evaluated at once', async () => {
    await spend(a, [{ agent: 'coder', cost: '3.000001' }, { agent: 'reviewer', cost: '50' }]);
    budget = await createBudget(a.key, { name: 'coder daily', period: 'daily', amount: '5', mode: 'hard', scope: [{ member: 'agent', values: ['coder'] }] });
    expect(budget).toMatchObject({ state: 'warning', spend: '3.000001', remaining: '1.999999', blocking: false, percentUsed: 60.00002 });
    expect(budget.periodStart).toBe('2026-12-02T00:00:00.000Z');
  });

  it('denies work in its scope right after the batch that crosses the limit', async () => {
    expect(await (await guardCheck(a.key, { agent: 'coder', model: 'gpt-4o' })).json()).toMatchObject({ allow: true, remaining: '1.999999' });
    await spend(a, [{ agent: 'coder', cost: '2.5' }]); // the worker checks hard budgets after the batch
    const denied = await waitFor(async () => {
      const d = (await (await guardCheck(a.key, { agent: 'coder', model: 'gpt-4o' })).json()) as any;
      return !d.allow && d;
    }, 20_000, 'the guard to deny');
    expect(denied.reason).toContain(`'coder daily' (${budget.id}) is over its limit: USD 5.50 of USD 5.00`);
    expect(denied.budgets[0]).toMatchObject({ id: budget.id, blocking: true, spend: '5.500001', remaining: '0', resetsAt: budget.periodEnd });
    expect(denied.applicable).toBe(1);
    const unlisted = (await (await guardCheck(a.key, { agent: 'coder', limit: '0' })).json()) as any;
    expect(unlisted).toMatchObject({ allow: false, applicable: 1, budgets: [] });
    expect((await guardCheck(a.key, { agent: 'coder', limit: 'all' })).status).toBe(400);
    // Other work is not in its scope; an agent context is needed for the budget to apply.
    expect(await (await guardCheck(a.key, { agent: 'reviewer' })).json()).toMatchObject({ allow: true, budgets: [] });
    expect(await (await guardCheck(a.key, { model: 'gpt-4o' })).json()).toMatchObject({ allow: true, reason: 'no budget applies' });
  });

  it('answers the same through GraphQL, and workspace B is not affected', async () => {
    const q = `query ($c: [ContextValue!]!) { guardCheck(context: $c) { allow reason remaining budgets { id blocking } } }`;
    const inA = (await ok(a.key, q, { c: [{ dimension: 'agent', value: 'coder' }] })).guardCheck;
    expect(inA).toMatchObject({ allow: false, budgets: [{ id: budget.id, blocking: true }] });
    const inB = (await ok(b.key, q, { c: [{ dimension: 'agent', value: 'coder' }] })).guardCheck;
    expect(inB).toEqual({ allow: true, reason: 'no budget applies', remaining: null, budgets: [] });
  });

  it('allows again when an admin raises the limit', async () => {
    const raised = (await ok(a.key, `mutation ($id: ID!) { updateBudget(id: $id, input: { amount: "8" }) { ${BUDGET_FIELDS} } }`, { id: budget.id })).updateBudget;
    expect(raised).toMatchObject({ amount: '8', spend: '5.500001', blocking: false, state: 'warning' });
    expect(await (await guardCheck(a.key, { agent: 'coder' })).json()).toMatchObject({ allow: true, remaining: '2.499999' });
  });

  it('never denies while paused', async () => {
    await ok(a.key, `mutation ($id: ID!) { updateBudget(id: $id, input: { amount: "1" }) { id } }`, { id: budget.id });
    expect(await (await guardCheck(a.key, { agent: 'coder' })).json()).toMatchObject({ allow: false });
    const paused = (await ok(a.key, `mutation ($id: ID!) { pauseBudget(id: $id) { state blocking } }`, { id: budget.id })).pauseBudget;
    expect(paused).toEqual({ state: 'paused', blocking: false });
    expect(await (await guardCheck(a.key, { agent: 'coder' })).json()).toMatchObject({ allow: true, budgets: [] });
    await ok(a.key, `mutation ($id: ID!) { resumeBudget(id: $id) { id } }`, { id: budget.id });
    expect(await (await guardCheck(a.key, { agent: 'coder' })).json()).toMatchObject({ allow: false });
  });

  it('cannot be read, changed or deleted with another workspace\'s key', async () => {
    expect((await ok(b.key, '{ budgets { id } }')).budgets).toEqual([]);
    expect((await ok(b.key, 'query ($id: ID!) { budget(id: $id) { id } }', { id: budget.id })).budget).toBeNull();
    const { body } = await gql(b.key, 'mutation ($id: ID!) { updateBudget(id: $id, input: { amount: "1000" }) { id } }', { id: budget.id });
    expect(body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await ok(b.key, 'mutation ($id: ID!) { deleteBudget(id: $id) }', { id: budget.id })).deleteBudget).toBe(false);
    expect((await ok(a.key, 'query ($id: ID!) { budget(id: $id) { amount } }', { id: budget.id })).budget.amount).toBe('1');
  });
});

describe('the guard check refuses a bad context', () => {
  it('names the unknown dimension', async () => {
    const res = await guardCheck(a.key, { agent: 'coder', colour: 'red' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'colour' });
    expect((await fetch(`${p.apiUrl}/v1/guard/check?agent=x`)).status).toBe(401);
  });
});

describe('alerts are delivered to a signed webhook', () => {
  let url: string;
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let failuresLeft = 1;

  beforeAll(() => {
    onHook = (req, body, res) => {
      received.push({ headers: req.headers, body });
      if (failuresLeft-- > 0) return void res.writeHead(503).end('busy'); // the worker must retry
      res.writeHead(204).end();
    };
    url = `http://127.0.0.1:${hookPort}/hooks/spendgraph`;
  });

  it('fires each threshold once, in order, and every delivery is signed and retried until it lands', async () => {
    const c = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
    const channel = (await ok(c.key, `mutation ($i: AlertChannelInput!) { createAlertChannel(input: $i) { id secret type } }`,
      { i: { name: 'ops', type: 'webhook', target: url } })).createAlertChannel;
    expect(channel.secret).toMatch(/^whsec_/);
    const budget = await createBudget(c.key, { name: 'Ana monthly', period: 'monthly', amount: '10', forecastAlerts: false, scope: [{ member: 'user_id', values: ['ana'] }] });
    const evaluate = async () => {
      const job = await budgetsQueue.add(EVALUATE_BUDGETS_JOB, { workspaceId: c.workspaceId });
      await waitFor(async () => (await job.getState()) === 'completed' || undefined, 20_000, 'the evaluation');
    };
    const thresholds = async () => (await ok(c.key, `{ budgetAlerts { threshold kind spend limit deliveries { status attempts } } }`)).budgetAlerts;

    await spend(c, [{ user_id: 'ana', cost: '4' }, { user_id: 'bob', cost: '100' }]);
    await evaluate();
    expect(await thresholds()).toEqual([]);
    await spend(c, [{ user_id: 'ana', cost: '1.5' }]);
    await evaluate();
    await evaluate();
    expect((await thresholds()).map((t: any) => t.threshold)).toEqual([50]);
    await spend(c, [{ user_id: 'ana', cost: '5' }]);
    await evaluate();
    const all = await thresholds();
    expect(all.map((t: any) => [t.threshold, t.spend, t.limit])).toEqual([[50, '5.5', '10'], [75, '10.5', '10'], [90, '10.5', '10'], [100, '10.5', '10']]);

    // 4 alerts, one delivery each; the first attempt of one of them failed with 503 and was retried.
    await waitFor(async () => (await thresholds()).every((t: any) => t.deliveries[0]?.status === 'delivered'), 30_000, 'deliveries');
    const attempts = (await thresholds()).map((t: any) => t.deliveries[0].attempts);
    expect(attempts.reduce((x: number, y: number) => x + y, 0)).toBe(5);
    expect(received).toHaveLength(5);
    for (const r of received) {
      const [t, v1] = String(r.headers['x-spendgraph-signature']).split(',').map((part) => part.split('=')[1]);
      expect(createHmac('sha256', channel.secret).update(`${t}.${r.body}`).digest('hex')).toBe(v1);
      expect(JSON.parse(r.body)).toMatchObject({ budget: { id: budget.id, name: 'Ana monthly' } });
    }
    const delivered = new Set(received.slice(-4).map((r) => r.headers['x-spendgraph-delivery']));
    expect(delivered.size).toBe(4);
  });
});
