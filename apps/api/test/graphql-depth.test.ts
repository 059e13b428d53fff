// The GraphQL depth limit (15, src/graphql/index.ts) counts the levels of the selection with its
// fragments written out: a client's per-level breakdown fragments (the web app's BreakdownLevel
// chain) are answered at the depth their fields reach, while a selection deeper than 15 is refused
// whether it is written out or nested through fragments.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, graphqlRequest, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { AxisValueDocument, ExploreDocument } from '../../web/lib/graphql/operations.ts';

let p: Platform;
let ws: { workspaceId: string; key: string };

const NODE = 'dimension value label other otherCount path { dimension value } measures { measure value share }';
/** The web app's fragments (apps/web/lib/graphql/operations/breakdown.graphql) up to level `n`. */
function levels(n: number): string {
  const chain = Array.from({ length: n }, (_, i) => `fragment L${i + 1} on BreakdownNode { ...Fields children { ...L${i} } }`);
  return [`fragment Fields on BreakdownNode { ${NODE} }`, 'fragment L0 on BreakdownNode { ...Fields children { label } }', ...chain].join('\n');
}
const BY = ['provider', 'model', 'user_id'];

/** Provider > model > user: 2 × 2 × 3 values, one event each. */
function events() {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  return [['anthropic', 'claude-sonnet-4-5'], ['anthropic', 'claude-haiku-4-5'], ['openai', 'gpt-4o'], ['openai', 'gpt-4o-mini']].flatMap(([provider, model]) =>
    ['ada', 'bob', 'cy'].map((user) => ({
      id: randomUUID(), occurred_at: at, provider, model, user_id: user, cost: '0.010000',
      usage: { input_tokens: 100, output_tokens: 10 },
    })));
}

const ask = (query: string, variables: Record<string, unknown> = {}) => graphqlRequest(p.apiUrl, ws.key, query, variables);

/** The refusal names the depth limit (a query as costly as deep may be refused for its cost as well). */
const depthRefusal = (body: { errors?: Array<{ message: string }> }, found: number | string = '\\d+') =>
  expect(body.errors?.map((e) => e.message)).toContainEqual(expect.stringMatching(new RegExp(`depth limit of 15 exceeded, found ${found}`)));

interface Tree { label: string; children: Tree[] }
const depthOf = (n: Tree): number => (n.children.length ? 1 + Math.max(...n.children.map(depthOf)) : 0);

beforeAll(async () => {
  p = await startPlatform();
  ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
  const sent = events();
  expect((await postEvents(p.apiUrl, ws.key, sent)).status).toBe(202);
  await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === sent.length, 30_000, 'events to be stored');
}, 120_000);
afterAll(async () => {
  await p?.stop();
});

describe('query depth with fragments', () => {
  it('answers a three-level breakdown written as a fragment per level (16 deep were each spread two levels)', async () => {
    const query = `query($by: [String!]!) { breakdown(measures: ["calls"], by: $by, timeRange: { relative: "last 7 days" }) { ...L3 period { from to } } }\n${levels(3)}`;
    const { body } = await ask(query, { by: BY });
    expect(body.errors).toBeUndefined();
    const root = body.data.breakdown as Tree;
    expect(depthOf(root)).toBe(3);
    expect(root.children.map((c) => c.label).sort()).toEqual(['anthropic', 'openai']);
    expect(root.children.flatMap((c) => c.children).flatMap((m) => m.children)).toHaveLength(12);
  });

  it("answers the web explorer's document (one for any number of segments) with three segments", async () => {
    const { body } = await ask(ExploreDocument.toString(), { m: ['calls', 'total_cost'], by: BY, r: { relative: 'last 7 days' }, limit: 10 });
    expect(body.errors).toBeUndefined();
    expect(depthOf(body.data.breakdown)).toBe(3);
    expect(body.data.breakdown.measures[0]).toMatchObject({ measure: 'calls', value: '12' });
  });

  it("answers the web's axis value page (its figures and four breakdowns in one document) within the cost and depth limits", async () => {
    const f = [{ member: 'provider', operator: 'equals', values: ['openai'] }];
    const { body } = await ask(AxisValueDocument.toString(), {
      f, r: { relative: 'last 7 days' }, totals: ['total_cost', 'calls'], cost: ['total_cost'], workItem: false, v: null, m: ['total_cost', 'calls'],
      by0: ['model'], s0: true, by1: ['user_id'], s1: true, by2: ['agent'], s2: true, by3: ['session_id'], s3: true,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data.s0.children.map((c: Tree) => c.label).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(body.data.s1.children.map((c: Tree) => c.label).sort()).toEqual(['ada', 'bob', 'cy']);
  });

  it('refuses a selection 16 deep written out', async () => {
    // breakdown (1), 14 × children (2-15), label (16).
    const { body } = await ask(`{ breakdown(measures: ["calls"], by: []) { ${'children { '.repeat(14)}label${' }'.repeat(14)} } }`);
    depthRefusal(body, 16);
    // One level less is answered.
    expect((await ask(`{ breakdown(measures: ["calls"], by: []) { ${'children { '.repeat(13)}label${' }'.repeat(13)} } }`)).body.errors).toBeUndefined();
    // The fuzz test's hostile query (test/fuzz.test.ts): 50 levels of children.
    depthRefusal((await ask(`{ breakdown(measures: ["calls"]) { ${'children { '.repeat(50)} label ${'} '.repeat(50)} } }`)).body, 52);
  });

  it('refuses fragments nesting deeper than the limit, and a cycle of them', async () => {
    // Each fragment adds one level of children: 20 of them reach 22 levels.
    const chain = Array.from({ length: 20 }, (_, i) => `fragment D${i} on BreakdownNode { label children { ...D${i + 1} } }`).join('\n');
    const deep = `{ breakdown(measures: ["calls"], by: []) { ...D0 } }\n${chain}\nfragment D20 on BreakdownNode { label }`;
    depthRefusal((await ask(deep)).body, 22);
    // The same depth of the web app's levels (BreakdownLevel13 would be 16 deep).
    const levels13 = await ask(`{ breakdown(measures: ["calls"], by: []) { ...L13 } }\n${levels(13)}`);
    depthRefusal(levels13.body, 16);
    expect((await ask(`{ breakdown(measures: ["calls"], by: []) { ...L12 } }\n${levels(12)}`)).body.errors).toBeUndefined();
    // Inline fragments count by their fields too.
    const inline = `{ breakdown(measures: ["calls"], by: []) { ${'... on BreakdownNode { children { '.repeat(15)}label${' } }'.repeat(15)} } }`;
    depthRefusal((await ask(inline)).body, 17);
    // Fragments spreading each other are refused outright (graphql-js' NoFragmentCycles).
    const cycle = '{ breakdown(measures: ["calls"], by: []) { ...A } } fragment A on BreakdownNode { children { ...B } } fragment B on BreakdownNode { children { ...A } }';
    expect((await ask(cycle)).body.errors?.length).toBeGreaterThan(0);
  });
});
