// Plan limits: a budget that counts a seat's tokens (or calls) in a window of hours, as
// subscription plans limit them (a 5-hour window, a weekly cap). Its usage equals SQL over the raw
// events of exactly that window (across midnight), its projected crossing is the current pace's,
// and as a hard budget it denies that seat, and only that seat, once over.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

/** The API's and worker's clock: 02:00 UTC, so the 5-hour window starts the day before. */
const NOW = new Date('2026-12-02T02:00:00Z');
const HOUR = 3_600_000;
const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR).toISOString();

let p: Platform;
let ws: { workspaceId: string; key: string };
const FIELDS = 'id unit rollingHours period amount spend remaining percentUsed projectedSpend projectedCrossingAt blocking state';

/** Tokens of one call: input + output + cache reads (every kind counts, as the model's total_tokens). */
const call = (user: string, hoursAgo: number, input: number, output: number, cacheRead = 0) => ({
  id: randomUUID(), occurred_at: at(hoursAgo), provider: 'anthropic', model: 'claude-sonnet-4-5', user_id: user,
  usage: { input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead },
});

/** The truth: a seat's tokens in (from, to], summed by PostgreSQL over the raw events. */
async function tokensInWindow(user: string, hours: number): Promise<string> {
  const { rows: [r] } = await p.pool.query(
    `SELECT coalesce(sum(input_tokens + output_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + reasoning_tokens), 0)::text AS t
       FROM usage_events WHERE workspace_id = $1 AND user_id = $2 AND occurred_at >= $3 AND occurred_at <= $4`,
    [ws.workspaceId, user, new Date(NOW.getTime() - hours * HOUR), NOW]);
  return r.t;
}

beforeAll(async () => {
  p = await startPlatform({ worker: false, now: NOW });
  p.startWorker({ WORKER_QUEUES: 'ingest,budgets,alerts', BUDGET_EVAL_EVERY_MS: '0' });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  await ingestAndWait(p, ws, [
    call('ana', 7, 30_000, 10_000), // before the window: does not count
    call('ana', 4, 20_000, 5_000, 5_000), // 22:00 the day before
    call('ana', 2, 15_000, 5_000), // 00:00
    call('ana', 0.5, 20_000, 5_000), // 01:30: the current pace
    call('bob', 1, 8_000, 2_000),
  ]);
}, 180_000);
afterAll(() => p?.stop());

describe('a plan limit of 100,000 tokens per 5 hours on one seat', () => {
  let limit: Record<string, any>;

  it("counts exactly the seat's tokens of the last 5 hours, across midnight", async () => {
    limit = (await graphqlData(p.apiUrl, ws.key, `mutation ($i: BudgetInput!) { createBudget(input: $i) { ${FIELDS} } }`, {
      i: { name: 'ana, 5-hour window', period: 'rolling', rollingHours: 5, unit: 'tokens', amount: '100000', mode: 'hard', scope: [{ member: 'user_id', values: ['ana'] }] },
    })).createBudget;
    const truth = await tokensInWindow('ana', 5);
    expect(truth).toBe('75000');
    expect(limit).toMatchObject({ unit: 'tokens', rollingHours: 5, period: 'rolling', spend: truth, remaining: '25000', percentUsed: 75, blocking: false });
  });

  it('projects the crossing from the pace of the last hour, tokens leaving the window at its average rate', async () => {
    // Re-derived: the last hour (1/5 of the window) holds 25,000 tokens -> 600,000 a day; the
    // window's 75,000 leave at 75,000 per 5 h (360,000 a day): it fills at 240,000 a day, so the
    // 25,000 left take 0.1041667 days (2 h 30 min). At that pace a whole window holds 125,000.
    const lastHour = Number(await tokensInWindow('ana', 1));
    const perDay = lastHour * 24;
    const fills = perDay - 75_000 / (5 / 24);
    const crossing = new Date(NOW.getTime() + Math.round((25_000 / fills) * 24 * HOUR));
    expect(limit.projectedSpend).toBe(String(perDay * 5 / 24));
    expect(limit.projectedCrossingAt).toBe(crossing.toISOString());
    expect(limit.projectedCrossingAt).toBe('2026-12-02T04:30:00.000Z');
  });

  it("denies the seat's work once a batch takes it over the limit, and only that seat's", async () => {
    await ingestAndWait(p, ws, [call('ana', 0.1, 25_000, 5_000)]);
    const check = async (user: string) => (await fetch(`${p.apiUrl}/v1/guard/check?user_id=${user}`, { headers: { authorization: `Bearer ${ws.key}` } })).json() as Promise<Record<string, any>>;
    // The worker checks hard budgets after each batch; the guard hears the new standing.
    const denied = await waitFor(async () => {
      const d = await check('ana');
      return !d.allow && d;
    }, 20_000, 'the guard to deny');
    const { budget } = await graphqlData(p.apiUrl, ws.key, `query ($id: ID!) { budget(id: $id) { ${FIELDS} } }`, { id: limit.id });
    expect(budget).toMatchObject({ spend: await tokensInWindow('ana', 5), blocking: true });
    expect(denied.reason).toContain('105000 tokens of 100000 tokens used; it allows again when the 5-hour window falls below the limit');
    expect((await check('bob')).allow).toBe(true);
  });

  it('refuses a window in hours outside a rolling budget, both lengths at once, and tokens shared by work items, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ period: 'daily', rollingHours: 5 }, 'input.rollingHours'],
      [{ period: 'rolling', rollingHours: 5, rollingDays: 1 }, 'input.rollingHours'],
      [{ period: 'rolling', rollingHours: 0 }, 'input.rollingHours'],
      [{ period: 'rolling', rollingHours: 5, scope: [{ member: 'work_item', values: ['ENG-1'] }] }, 'input.scope[0].member'],
    ];
    for (const [change, field] of cases) {
      const { body } = await graphqlRequest(p.apiUrl, ws.key, 'mutation ($i: BudgetInput!) { createBudget(input: $i) { id } }', {
        i: { name: 'bad', unit: 'tokens', amount: '1000', scope: [{ member: 'user_id', values: ['ana'] }], ...change },
      });
      expect(body.errors?.[0]?.extensions, JSON.stringify(change)).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    }
  });
});
