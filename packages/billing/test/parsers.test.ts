// Every format read from fixtures built on the providers' documented shapes (test/fixtures/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BillParseError, PARSERS, modelOfSku, parseFocusPools, sum } from '../src/index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const pages = (prefix: string) => `[${fixture(`${prefix}1.json`)},${fixture(`${prefix}2.json`)}]`;
const error = (fn: () => unknown): BillParseError => {
  try { fn(); } catch (e) { if (e instanceof BillParseError) return e; throw e; }
  throw new Error('no error');
};

describe('provider bill parsers', () => {
  it('OpenAI costs: both pages, exact amounts, models from line items, projects as accounts', () => {
    const bill = PARSERS.openai(pages('openai-costs-page'));
    expect(bill.days).toEqual(['2026-11-29', '2026-11-30']);
    expect(bill.lines).toHaveLength(6);
    expect(bill.lines[1]).toEqual({
      day: '2026-11-29', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', account: 'proj_abc',
      lineItem: 'gpt-4o-mini-2024-07-18, output', currency: 'USD', amount: '0.4123456789012345678',
    });
    expect(bill.lines[2]!.model).toBeNull(); // Image models
    expect(sum(bill.lines.map((l) => l.amount))).toBe('2.8523456789012345678');
  });

  it('Anthropic cost report: cents to currency units exactly, model and workspace', () => {
    const bill = PARSERS.anthropic(pages('anthropic-cost-page'));
    expect(bill.days).toEqual(['2026-11-29', '2026-11-30']);
    expect(bill.lines.map((l) => [l.day, l.model, l.account, l.amount])).toEqual([
      ['2026-11-29', 'claude-sonnet-4-5', 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', '1.2345'],
      ['2026-11-29', 'claude-sonnet-4-5', 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', '3.105'],
      ['2026-11-29', null, null, '10'],
      ['2026-11-30', 'claude-sonnet-4-5', 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', '2.50001'],
    ]);
  });

  it('Google Cloud export: cost plus credits, Gemini SKUs named as models, other services without one', () => {
    const bill = PARSERS.gcp(fixture('gcp-billing-export.csv'));
    expect(bill.lines.map((l) => [l.day, l.provider, l.model, l.account, l.amount])).toEqual([
      ['2026-11-29', 'google', 'gemini-2.5-flash', 'acme-ai', '0.734125'],
      ['2026-11-29', 'google', 'gemini-2.5-flash', 'acme-ai', '1'],
      ['2026-11-30', 'google', null, 'acme-ai', '0.031611'],
    ]);
    expect(modelOfSku('Gemini 2.5 Flash Lite Input Text')).toBe('gemini-2.5-flash-lite');
  });

  it('FOCUS 1.2 and 1.3 (ours): provider, model column or model resource, sub-account, UTC day of the charge period', () => {
    const aws = PARSERS.focus(fixture('focus-1.2.csv'));
    expect(aws.lines.map((l) => [l.day, l.provider, l.model, l.account, l.amount])).toEqual([
      ['2026-11-29', 'aws', 'anthropic.claude-sonnet-4-5', '210987654321', '0.75'],
      ['2026-11-29', 'aws', null, '210987654321', '0.000001'],
    ]);
    const ours = PARSERS.focus(fixture('focus-1.3-spendgraph.csv'));
    expect(ours.lines.map((l) => [l.day, l.provider, l.model])).toEqual([['2026-11-30', 'openai', 'gpt-4o-mini'], ['2026-11-30', 'openai', 'gpt-4o-mini']]);
  });

  it('bad files name the line and the field', () => {
    const csv = fixture('gcp-billing-export.csv').replace('0.031611', 'lots');
    expect(error(() => PARSERS.gcp(csv))).toMatchObject({ line: 4, field: 'cost' });
    expect(error(() => PARSERS.focus('BilledCost,BillingCurrency,ProviderName\n1,USD,AWS\n')).field).toBe('ChargePeriodStart');
    expect(error(() => PARSERS.focus(fixture('focus-1.2.csv').replace(',USD,Usage,Bedrock', ',dollars,Usage,Bedrock')))).toMatchObject({ line: 3, field: 'BillingCurrency' });
    expect(error(() => PARSERS.openai(fixture('openai-costs-page1.json').replace('"value": 0.06', '"value": "six cents"'))).field).toBe('data.0.results.2.amount.value');
    expect(error(() => PARSERS.anthropic('{"data": [{"starting_at": "2026-11-29T00:00:00Z", "ending_at": "2026-11-29T01:00:00Z", "results": []}]}')).field).toBe('data.0');
    expect(error(() => PARSERS.openai('{"data": ')).field).toBe('body');
  });

  it('FOCUS as cost pools: grouped by service (or a column) and month, exact sums kept to 1e-8, errors naming the line past quoted newlines', () => {
    expect(parseFocusPools(fixture('focus-1.2.csv'))).toEqual({
      pools: [{ name: 'Amazon Bedrock', month: '2026-11-01', amount: '0.750001', lines: 2 }], skipped: [], lines: 2,
    });
    expect(parseFocusPools(fixture('focus-1.2.csv'), { groupBy: 'PublisherName', cost: 'EffectiveCost' }).pools.map((p) => [p.name, p.amount]))
      .toEqual([['AWS', '0.000001'], ['Anthropic', '0.75']]);
    const csv = '\uFEFFChargePeriodStart,ServiceName,BilledCost,BillingCurrency\n'
      + '2026-10-31T23:00:00Z,"Vector\nDB",0.123456785,USD\n2026-11-01T00:00:00+01:00,"Vector\nDB",1,USD\n2026-11-02,Free tier,-0.5,USD\n2026-11-03,Free tier,0.5,USD\n';
    expect(parseFocusPools(csv)).toEqual({
      pools: [{ name: 'Vector\nDB', month: '2026-10-01', amount: '1.12345678', lines: 2 }],
      skipped: [{ name: 'Free tier', month: '2026-11-01', amount: '0', lines: 2 }], lines: 4,
    });
    expect(error(() => parseFocusPools(csv.replace(',0.5,USD\n', ',half,USD\n')))).toMatchObject({ line: 7, field: 'BilledCost' });
    expect(error(() => parseFocusPools(csv, { groupBy: 'x_Team' }))).toMatchObject({ line: 1, field: 'group_by' });
  });
});
