// The morning report's reconciliation and margin lines (issue 17): written by the worker's report
// code over events, an imported bill (with an unattributed line), a cost pool and revenue, then
// read back through GraphQL — the stored figures equal Query.reconciliation's totals and
// Query.economics' figures and rows exactly, and raw SQL's sums of the bill; the Markdown and the
// HTML e-mail carry the lines with links into the web app; reports stored before these lines
// existed still render.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '@spendgraph/db';
import { type MorningFigures, buildMorningReport, morningHtml, morningMarkdown, writeMorningReport } from '@spendgraph/insights';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { type Platform, graphqlData, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';
import { reportMessage } from '../src/messages/report.ts';

const AT = new Date('2026-11-21T07:00:00Z'); // reports on 2026-11-20
const DAY = '2026-11-20';
const MONTH_START = '2026-11-01';
const WEB_URL = 'https://spendgraph.example.test';
const CUSTOMERS = ['acme', 'globex', 'initech'];

let p: Platform;
let semantic: SemanticLayer;
let ws: { workspaceId: string; key: string };

const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}`;

beforeAll(async () => {
  p = await startPlatform({ now: AT });
  semantic = await createSemanticLayer({ databaseUrl: inject('databaseUrl') });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const events = [];
  const bill = ['ChargePeriodStart,BilledCost,BillingCurrency,ServiceProviderName,x_Model'];
  for (let d = 1; d <= 20; d++) {
    const base = { currency: 'USD', customer_id: CUSTOMERS[d % 3], feature: d % 2 ? 'search' : 'chat', workflow: 'answer', usage: { input_tokens: 100, output_tokens: 10 } };
    const openai = new Decimal(d).div(10);
    const anthropic = new Decimal(d).times('0.05');
    events.push({ ...base, id: randomUUID(), occurred_at: `${day(d)}T09:00:00Z`, provider: 'openai', model: 'gpt-4o-mini', cost: openai.toFixed() });
    events.push({ ...base, id: randomUUID(), occurred_at: `${day(d)}T15:30:00Z`, provider: 'anthropic', model: 'claude-sonnet-4-5', cost: anthropic.toFixed() });
    bill.push(`${day(d)}T00:00:00Z,${openai.plus('0.013').toFixed()},USD,OpenAI,gpt-4o-mini`, `${day(d)}T00:00:00Z,${anthropic.toFixed()},USD,Anthropic,claude-sonnet-4-5`);
  }
  bill.push(`${DAY}T00:00:00Z,5.25,USD,OpenAI,`, `2026-11-03T00:00:00Z,1.5,USD,OpenAI,`);
  await ingestAndWait(p, ws, events);
  const post = (path: string, body: string, type: string) => fetch(`${p.apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': type }, body });
  expect((await post('/v1/bills/focus', `${bill.join('\n')}\n`, 'text/csv')).status).toBe(201);
  const gql = (q: string, v: Record<string, unknown>) => graphqlData(p.apiUrl, ws.key, q, v);
  const { createCostPool: { id } } = await gql('mutation ($i: CostPoolInput!) { createCostPool(input: $i) { id } }', { i: { name: 'GPU hosts', amount: '90.00000001', month: '2026-11' } });
  await gql('mutation ($id: ID!, $r: AllocationRuleInput!) { setAllocationRule(poolId: $id, rule: $r) { id } }', { id, r: { method: 'proportional', measure: 'calls', dimension: 'customer' } });
  const revenue = [{ id: 'r-acme', day: '2026-11-05', customer_id: 'acme', amount: '10.10' }, { id: 'r-globex', day: '2026-11-06', customer_id: 'globex', amount: '250' },
    { id: 'r-initech', day: '2026-11-07', customer_id: 'initech', amount: '40.333' }, { id: 'r-late', day: '2026-11-21', customer_id: 'acme', amount: '1000' }];
  expect((await post('/v1/revenue', JSON.stringify(revenue), 'application/json')).status).toBe(201);
}, 240_000);
afterAll(async () => {
  await semantic?.close();
  await p?.stop();
});

const RECON = 'query ($from: String!, $to: String!) { reconciliation(from: $from, to: $to) { rows { unattributed billed } totals { currency billed tracked variance varianceShare } } }';
const ECON = 'query ($by: [String!]!) { economics(from: "2026-11-01", to: "2026-11-20", by: $by) { key directCost allocatedCost trueCost revenue margin } }';
const REPORT = `query ($id: ID!) { report(id: $id) { figuresJson figures { reconciliation { yesterday { ...line } monthToDate { ...line } }
  margin { from to revenue directCost allocatedCost trueCost margin leastProfitable { customerId revenue trueCost margin } } } } }
  fragment line on ReportReconciliationLine { from to billed tracked variance varianceShare unattributed }`;

/** What GraphQL's reconciliation says for a range: the USD total and the unattributed rows' billed sum. */
async function reconciliationOf(from: string, to: string) {
  const { reconciliation } = await graphqlData(p.apiUrl, ws.key, RECON, { from, to });
  const total = reconciliation.totals.find((t: any) => t.currency === 'USD');
  const unattributed = reconciliation.rows.filter((r: any) => r.unattributed).reduce((s: Decimal, r: any) => s.plus(r.billed), new Decimal(0));
  return { from, to, billed: total.billed, tracked: total.tracked, variance: total.variance, varianceShare: total.varianceShare, unattributed: unattributed.toFixed() };
}

let report: Report;

describe('the morning report\'s reconciliation and margin lines', () => {
  it('the stored figures equal Query.reconciliation and Query.economics exactly, and raw SQL', async () => {
    const written = await writeMorningReport({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, at: AT, settings: { timezone: 'UTC', currency: 'USD' } });
    expect(written.created).toBe(true);
    report = written.report!;
    const { report: read } = await graphqlData(p.apiUrl, ws.key, REPORT, { id: report.id });
    const f = read.figures;

    expect(f.reconciliation.yesterday).toEqual(await reconciliationOf(DAY, DAY));
    expect(f.reconciliation.monthToDate).toEqual(await reconciliationOf(MONTH_START, DAY));
    const { rows: [sql] } = await p.pool.query(
      `SELECT sum(amount) FILTER (WHERE day = $2)::text AS day_billed, sum(amount) FILTER (WHERE day = $2 AND model IS NULL)::text AS day_unattributed,
              sum(amount)::text AS month_billed, sum(amount) FILTER (WHERE model IS NULL)::text AS month_unattributed
         FROM provider_bill_lines WHERE workspace_id = $1 AND day BETWEEN $3 AND $2`, [ws.workspaceId, DAY, MONTH_START]);
    expect(new Decimal(f.reconciliation.yesterday.billed).equals(sql.day_billed)).toBe(true);
    expect(new Decimal(f.reconciliation.yesterday.unattributed).equals(sql.day_unattributed)).toBe(true);
    expect(f.reconciliation.yesterday.unattributed).toBe('5.25');
    expect(new Decimal(f.reconciliation.monthToDate.billed).equals(sql.month_billed)).toBe(true);
    expect(f.reconciliation.monthToDate.unattributed).toBe('6.75');
    // Billed − tracked: 20 days × 0.013 over, plus the unattributed lines.
    expect(f.reconciliation.monthToDate.variance).toBe('7.01');

    const [total] = (await graphqlData(p.apiUrl, ws.key, ECON, { by: [] })).economics;
    expect(f.margin).toMatchObject({ from: MONTH_START, to: DAY, revenue: total.revenue, directCost: total.directCost, allocatedCost: total.allocatedCost, trueCost: total.trueCost, margin: total.margin });
    expect(f.margin.revenue).toBe('300.433'); // the entry of the 21st is after the report's day
    expect(new Decimal(f.margin.margin).equals(new Decimal(f.margin.revenue).minus(f.margin.trueCost))).toBe(true);
    const customers = (await graphqlData(p.apiUrl, ws.key, ECON, { by: ['customer_id'] })).economics
      .filter((r: any) => r.key[0] !== null)
      .sort((a: any, b: any) => new Decimal(a.margin).comparedTo(b.margin) || a.key[0].localeCompare(b.key[0]));
    expect(f.margin.leastProfitable).toEqual(customers.slice(0, 3).map((c: any) => ({ customerId: c.key[0], revenue: c.revenue, trueCost: c.trueCost, margin: c.margin })));
    expect(f.margin.leastProfitable[0].customerId).toBe('acme');
    expect(f.margin.leastProfitable[0].margin.startsWith('-')).toBe(true);
    expect(JSON.parse(read.figuresJson).margin).toEqual(f.margin);
  });

  it('the Markdown and the HTML e-mail carry the lines, the e-mail with links to the reconciliation and profitability pages', async () => {
    const f = report.figures as MorningFigures;
    const md = report.markdown;
    const y = f.reconciliation!.yesterday!;
    expect(md).toContain('## Bill reconciliation (UTC days)');
    expect(md).toContain(`- **Yesterday** (${DAY}): billed USD ${new Decimal(y.billed).toFixed(2)}, tracked USD ${new Decimal(y.tracked).toFixed(2)}, variance USD ${new Decimal(y.variance).toFixed(2)}`);
    expect(md).toContain('unattributed USD 5.25');
    expect(md).toContain(`- **Month to date** (${MONTH_START} to ${DAY}):`);
    expect(md).toContain('## Margin (month to date)');
    expect(md).toContain(`revenue USD 300.43, true cost USD ${new Decimal(f.margin!.trueCost).toFixed(2)}`);
    expect(md).toMatch(/ {2}- acme: margin USD -\d+\.\d{2}/);
    expect(md).toMatch(/^[\x20-\x7e\n]*$/); // ASCII, like the rest of the Markdown

    const mail = reportMessage(report, WEB_URL);
    expect(mail.html).toContain('Bill reconciliation (UTC days)');
    expect(mail.html).toContain(`href="${WEB_URL}/reconciliation?days=7"`);
    expect(mail.html).toContain(`href="${WEB_URL}/reconciliation?days=30"`);
    expect(mail.html).toContain(`href="${WEB_URL}/profitability?period=this+month&amp;by=customer_id"`);
    expect(mail.html).toContain('USD 5.25');
    expect(mail.html).toContain('acme');
    expect(mail.slack).toContain('*Margin (month to date)*');
  });

  it('a report for the last day of a month links to last month; no bill and no revenue read as none; older reports render', async () => {
    const other = await workspaceWithKey(p.pool, ['ingest', 'read']);
    await ingestAndWait(p, other, [{ id: randomUUID(), occurred_at: '2026-10-31T10:00:00Z', provider: 'openai', model: 'gpt-4o-mini', cost: '0.5', currency: 'USD', usage: { input_tokens: 1, output_tokens: 1 } }]);
    const built = await buildMorningReport({ pool: p.pool, semantic }, { workspaceId: other.workspaceId, at: new Date('2026-11-01T07:00:00Z'), settings: { timezone: 'UTC', currency: 'USD' } });
    expect(built.figures.reconciliation).toEqual({ yesterday: null, monthToDate: null });
    expect(built.figures.margin).toMatchObject({ revenue: '0', trueCost: '0.5', margin: '-0.5', leastProfitable: [] });
    expect(built.markdown).toContain('## Bill reconciliation (UTC days)\n\nNone.');
    expect(morningHtml(built.figures, { webUrl: WEB_URL })).toContain(`${WEB_URL}/profitability?period=last+month&amp;by=customer_id`);

    const { reconciliation: _r, margin: _m, ...older } = report.figures as MorningFigures;
    expect(morningMarkdown(older)).not.toContain('reconciliation');
    expect(morningHtml(older, { webUrl: WEB_URL })).not.toContain('Bill reconciliation');
  });
});
