// Anomaly triage through the real API on a fixed clock: filters, the impact order and the totals
// of a filtered set against the generated figures (decimal.js) and raw SQL, grouping, and
// acknowledge / dismiss / reopen with who and when, audited in the change's transaction and
// walled off by workspace and permission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { type NewAnomaly, addMembership, createApiKey, replaceAnomalies } from '@spendgraph/db';
import { person, signIn } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, graphqlRequest, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

const NOW = new Date('2026-10-12T09:30:00Z');
let p: Platform;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };
let admin: string;
let analyst: { session: string; userId: string; email: string };
let made: NewAnomaly[];

const gql = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlRequest(p.apiUrl, key, query, variables);
const ok = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, key, query, variables);

// A seeded generator: the same anomalies on every run, costs with up to 6 decimals.
function generated(workspaceId: string, seed: number): NewAnomaly[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const money = (max: number) => new Decimal(Math.floor(rand() * max * 1e6)).div(1e6);
  return Array.from({ length: 40 }, (_, i) => {
    const median = money(3).plus('0.01');
    const cost = median.times(2).plus(money(40));
    const day = 1 + (i % 10);
    const cause = (['model_choice', 'context_size', 'subagents', 'retries'] as const)[i % 4]!;
    return {
      workspaceId, kind: i % 3 === 0 ? 'task' : 'session', subjectId: `s-${i % 25}`, peerDimension: 'task_type x agent', peerValue: i % 2 ? 'bugfix x coder' : 'review x reviewer',
      peerCount: 12, windowStart: `2026-10-${String(day).padStart(2, '0')}T00:00:00.000Z`, windowEnd: `2026-10-${String(day + 1).padStart(2, '0')}T00:00:00.000Z`,
      timezone: 'UTC', currency: 'USD', cost: cost.toFixed(), peerMedian: median.toFixed(), ratio: cost.div(median).toDecimalPlaces(4).toFixed(), threshold: '2',
      causes: [{ cause, score: 1, excess: cost.minus(median).toFixed(), summary: 'x', evidence: [{ metric: 'subagent_cost_share', value: '0.4', peerMedian: '0' }] }],
    };
  });
}

async function store(rows: NewAnomaly[]) {
  const windows = new Map(rows.map((r) => [`${r.kind}|${r.windowStart}`, r]));
  for (const w of windows.values()) {
    await replaceAnomalies(p.pool, { workspaceId: w.workspaceId, kind: w.kind, windowStart: w.windowStart, windowEnd: w.windowEnd },
      rows.filter((r) => r.kind === w.kind && r.windowStart === w.windowStart));
  }
}

beforeAll(async () => {
  p = await startPlatform({ now: NOW, worker: false });
  [a, b] = await Promise.all([workspaceWithKey(p.pool, ['read']), workspaceWithKey(p.pool, ['read'])]);
  admin = (await createApiKey(p.pool, a.workspaceId, ['admin'])).key;
  const who = await person(p.pool, 'analyst');
  await addMembership(p.pool, { userId: who.id, workspaceId: a.workspaceId, role: 'analyst' });
  const res = await signIn(p.apiUrl, who.email);
  analyst = { session: ((await res.json()) as { session: string }).session, userId: who.id, email: who.email };
  made = generated(a.workspaceId, 7);
  await store(made);
  await store(generated(b.workspaceId, 11));
});
afterAll(async () => {
  await p?.stop();
});

const excessOf = (x: NewAnomaly) => new Decimal(x.cost).minus(x.peerMedian);
const total = (xs: NewAnomaly[]) => xs.reduce((t, x) => t.plus(excessOf(x)), new Decimal(0)).toFixed();

describe('anomaly triage: filters, impact order and totals', () => {
  it('orders by dollar impact across cursor pages, as the generated figures say', async () => {
    const ids: string[] = [];
    const excesses: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const { anomalies: page }: { anomalies: Array<{ id: string; excess: string; cursor: string }> } = await ok(a.key,
        'query ($after: String) { anomalies(orderBy: impact, first: 7, after: $after) { id excess cursor } }', { after });
      ids.push(...page.map((x) => x.id));
      excesses.push(...page.map((x) => x.excess));
      if (page.length < 7) break;
      after = page.at(-1)!.cursor;
    }
    expect(ids).toHaveLength(made.length);
    expect(new Set(ids).size).toBe(made.length);
    const expected = made.map(excessOf).sort((x, y) => y.comparedTo(x));
    expect(excesses.map((e) => new Decimal(e).toFixed())).toEqual(expected.map((e) => e.toFixed()));
    // The default order sorts ratios as numbers (10.5 after 3 when sorted as text).
    const { anomalies: recent250 } = await ok(a.key, '{ anomalies(first: 250) { windowStart ratio } }');
    const wrong = recent250.filter((x: { windowStart: string; ratio: string }, i: number) => i > 0 && x.windowStart === recent250[i - 1].windowStart && new Decimal(x.ratio).gt(recent250[i - 1].ratio));
    expect(recent250.some((x: { ratio: string }) => new Decimal(x.ratio).gte(10))).toBe(true);
    expect(wrong).toEqual([]);
    // A cursor of the other order is refused by name.
    const { anomalies: recent } = await ok(a.key, '{ anomalies(first: 1) { cursor } }');
    const { body } = await gql(a.key, 'query ($after: String) { anomalies(orderBy: impact, after: $after) { id } }', { after: Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(recent[0].cursor, 'base64url').toString()), id: undefined })).toString('base64url') });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'after' });
  });

  it('totals every anomaly a filter selects, to the cent, equal to raw SQL over the same rows', async () => {
    const cases: Array<[Record<string, unknown>, (x: NewAnomaly) => boolean]> = [
      [{}, () => true],
      [{ kind: 'task' }, (x) => x.kind === 'task'],
      [{ from: '2026-10-03T00:00:00Z', to: '2026-10-06T00:00:00Z' }, (x) => x.windowStart >= '2026-10-03' && x.windowStart < '2026-10-06'],
      [{ peerGroup: 'bugfix x coder', likelyCause: 'subagents' }, (x) => x.peerValue === 'bugfix x coder' && x.causes[0]!.cause === 'subagents'],
      [{ subject: 's-3' }, (x) => x.subjectId === 's-3'],
    ];
    for (const [args, keep] of cases) {
      const { anomalySummary: s } = await ok(a.key, `query ($kind: AnomalyKind, $from: String, $to: String, $peerGroup: String, $likelyCause: AnomalyCauseKind, $subject: String) {
        anomalySummary(kind: $kind, from: $from, to: $to, peerGroup: $peerGroup, likelyCause: $likelyCause, subject: $subject) { count excess cost open } }`, args);
      const chosen = made.filter(keep);
      expect(s.count, JSON.stringify(args)).toBe(chosen.length);
      expect(new Decimal(s.excess).toFixed(), JSON.stringify(args)).toBe(total(chosen));
      expect(s.open).toBe(chosen.length);
    }
    const { rows: [sql] } = await p.pool.query('SELECT sum(cost - peer_median)::text AS excess FROM anomalies WHERE workspace_id = $1', [a.workspaceId]);
    const { anomalySummary: all } = await ok(a.key, '{ anomalySummary { excess } }');
    expect(all.excess).toBe(sql.excess);
  });

  it('groups by subject, largest impact first, each group summed exactly', async () => {
    const { anomalySummary: s } = await ok(a.key, '{ anomalySummary(kind: session) { groups(by: subject, first: 250) { key count excess } } }');
    const bySubject = new Map<string, NewAnomaly[]>();
    for (const x of made.filter((m) => m.kind === 'session')) bySubject.set(`session:${x.subjectId}`, [...(bySubject.get(`session:${x.subjectId}`) ?? []), x]);
    expect(s.groups).toHaveLength(bySubject.size);
    for (const g of s.groups) {
      expect(g.count).toBe(bySubject.get(g.key)!.length);
      expect(new Decimal(g.excess).toFixed()).toBe(total(bySubject.get(g.key)!));
    }
    const sums = s.groups.map((g: { excess: string }) => new Decimal(g.excess));
    expect(sums.every((x: Decimal, i: number) => i === 0 || x.lte(sums[i - 1]))).toBe(true);
  });

  it('bad filters name the argument', async () => {
    for (const [q, field] of [['{ anomalySummary(from: "someday") { count } }', 'from'], ['{ anomalies(status: [snoozed]) { id } }', undefined]] as const) {
      const { body } = await gql(a.key, q);
      expect(body.errors?.[0]?.message).toBeTruthy();
      if (field) expect(body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    }
  });
});

describe('anomaly triage: acknowledge, dismiss, reopen', () => {
  const TRIAGE = 'id triage { status at by userId keyId note }';

  it('records who (a person by name) and when (the platform clock), audited in the same transaction', async () => {
    const { anomalies: [target] } = await ok(a.key, '{ anomalies(orderBy: impact, first: 1) { id } }');
    const { acknowledgeAnomaly: acked } = await ok(analyst.session, `mutation ($id: ID!) { acknowledgeAnomaly(id: $id, note: "looking at it") { ${TRIAGE} } }`, { id: target.id });
    expect(acked.triage).toEqual({ status: 'acknowledged', at: NOW.toISOString(), by: analyst.email, userId: analyst.userId, keyId: null, note: 'looking at it' });
    const { rows: [entry] } = await p.pool.query(
      `SELECT actor_user_id, target_type, target_id, before ->> 'status' AS before, after ->> 'status' AS after, after ->> 'status_by_user_id' AS by
       FROM audit_log WHERE workspace_id = $1 AND action = 'acknowledgeAnomaly'`, [a.workspaceId]);
    expect(entry).toEqual({ actor_user_id: analyst.userId, target_type: 'anomaly', target_id: target.id, before: 'open', after: 'acknowledged', by: analyst.userId });

    const { dismissAnomaly: dismissed } = await ok(admin, `mutation ($id: ID!) { dismissAnomaly(id: $id) { ${TRIAGE} } }`, { id: target.id });
    expect(dismissed.triage).toMatchObject({ status: 'dismissed', at: NOW.toISOString(), by: null, userId: null, keyId: expect.any(String), note: null });
    const { anomalySummary: s } = await ok(a.key, '{ anomalySummary { open acknowledged dismissed } }');
    expect(s).toEqual({ open: made.length - 1, acknowledged: 0, dismissed: 1 });
    const { anomalies: onlyDismissed } = await ok(a.key, '{ anomalies(status: [dismissed]) { id } }');
    expect(onlyDismissed).toEqual([{ id: target.id }]);

    const { reopenAnomaly: reopened } = await ok(admin, `mutation ($id: ID!) { reopenAnomaly(id: $id) { ${TRIAGE} } }`, { id: target.id });
    expect(reopened.triage).toEqual({ status: 'open', at: null, by: null, userId: null, keyId: null, note: null });
    const { rows } = await p.pool.query('SELECT action FROM audit_log WHERE workspace_id = $1 AND target_type = $2 ORDER BY id', [a.workspaceId, 'anomaly']);
    expect(rows.map((r) => r.action)).toEqual(['acknowledgeAnomaly', 'dismissAnomaly', 'reopenAnomaly']);
  });

  it('survives a rerun of detection (figures update, the triage stays)', async () => {
    const { anomalies: [x] } = await ok(a.key, '{ anomalies(first: 1) { id subject kind windowStart } }');
    await ok(admin, 'mutation ($id: ID!) { acknowledgeAnomaly(id: $id) { id } }', { id: x.id });
    await store(made.map((m) => (m.subjectId === x.subject && m.kind === x.kind && m.windowStart === x.windowStart ? { ...m, cost: new Decimal(m.cost).plus('0.5').toFixed() } : m)));
    const { anomalies: [again] } = await ok(a.key, 'query ($s: String) { anomalies(subject: $s, first: 250) { id triage { status } } }', { s: x.subject });
    expect(again.triage.status).toBe('acknowledged');
    await ok(admin, 'mutation ($id: ID!) { reopenAnomaly(id: $id) { id } }', { id: x.id });
    await store(made);
  });

  it('a read-only key may not triage; another workspace\'s anomaly is not found; bad ids and notes name the field', async () => {
    const { anomalies: [mine] } = await ok(a.key, '{ anomalies(first: 1) { id } }');
    const refused = await gql(a.key, 'mutation ($id: ID!) { acknowledgeAnomaly(id: $id) { id } }', { id: mine.id });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const { anomalies: [theirs] } = await ok(b.key, '{ anomalies(first: 1) { id } }');
    const other = await gql(admin, 'mutation ($id: ID!) { dismissAnomaly(id: $id) { id } }', { id: theirs.id });
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const { rows } = await p.pool.query('SELECT status FROM anomalies WHERE id = $1', [theirs.id]);
    expect(rows[0].status).toBe('open');
    const bad = await gql(admin, 'mutation { dismissAnomaly(id: "nope") { id } }');
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'id' });
    const long = await gql(admin, 'mutation ($id: ID!, $note: String) { dismissAnomaly(id: $id, note: $note) { id } }', { id: mine.id, note: 'x'.repeat(2001) });
    expect(long.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'note' });
  });
});
