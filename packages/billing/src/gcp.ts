// Google Cloud's billing export (standard or detailed usage cost, as BigQuery writes it to
// CSV): one row per service × SKU × project × hour with `cost`, `currency` and `credits`, a
// JSON array of { name, amount, ... } whose (negative) amounts are part of what is billed.
import { Decimal } from 'decimal.js';
import { BillParseError, type ParsedBill, billOf, decimal } from './line.ts';
import { type CsvRow, currency, day, money, readCsv } from './csv.ts';
import { parseExactJson } from './json.ts';

const REQUIRED = [['service.description'], ['sku.description'], ['usage_start_time'], ['cost'], ['currency']];

/** Gemini SKUs name their model in words (`Gemini 2.5 Flash Lite Input Text`): the event model id. */
export function modelOfSku(sku: string | undefined): string | null {
  const m = sku?.match(/\b(gemini|gemma|imagen|veo)[ -]([\d.]+)[ -](pro|flash(?:[ -]lite)?|ultra|nano)?/i);
  if (!m) return null;
  return [m[1], m[2], m[3]].filter(Boolean).join('-').toLowerCase().replace(/ /g, '-');
}

function credits(row: CsvRow): Decimal {
  const text = row.get('credits');
  if (!text) return new Decimal(0);
  let list: unknown;
  try {
    list = parseExactJson(text);
  } catch {
    throw new BillParseError('credits', 'is not a JSON array of credits', row.line);
  }
  if (!Array.isArray(list)) throw new BillParseError('credits', 'is not a JSON array of credits', row.line);
  return list.reduce((total: Decimal, c: unknown) => {
    const amount = (c as { amount?: unknown } | null)?.amount;
    const value = typeof amount === 'string' ? decimal(amount) : undefined;
    if (value === undefined) throw new BillParseError('credits', 'a credit has no numeric amount', row.line);
    return total.plus(value);
  }, new Decimal(0));
}

export function parseGcpBillingCsv(text: string): ParsedBill {
  const { rows } = readCsv(text, REQUIRED);
  const lines = rows.map((row) => {
    const sku = row.get('sku.description');
    return {
      day: day(row, 'usage_start_time'), provider: 'google', model: modelOfSku(sku),
      account: row.get('project.id') ?? null,
      lineItem: [row.get('service.description'), sku].filter(Boolean).join(' / '),
      currency: currency(row, 'currency'), amount: new Decimal(money(row, 'cost')).plus(credits(row)).toFixed(),
    };
  });
  return billOf(lines);
}
