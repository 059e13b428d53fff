// The FOCUS 1.2 column rules the export relies on, as a checker: column names,
// presence, nullability, types and formats, allowed values, and the rules between
// columns. It checks a dataset as a consumer reads it (every value as text, as in
// CSV); the tests run it on real exports.

export interface Violation { row: number | null; column: string; rule: string }
type Value = string | null;

const DECIMAL = /^-?\d+(\.\d+)?$/;
/** FOCUS date/times: ISO 8601 in UTC with a Z. */
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** UnitFormat: a plural unit, optionally after a quantity (`1M Tokens`, `1000 Requests`). */
const UNIT = /^(\d+[KMB]? )?[A-Z][A-Za-z]*(-[A-Za-z]+)*( [A-Z][A-Za-z]*)*$/;
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

/** Normative columns (FOCUS 1.2, and ServiceProviderName from 1.3) and their data types. */
const COLUMNS: Record<string, 'decimal' | 'datetime' | 'string' | 'json'> = {
  BilledCost: 'decimal', BillingAccountId: 'string', BillingAccountName: 'string', BillingAccountType: 'string',
  BillingCurrency: 'string', BillingPeriodEnd: 'datetime', BillingPeriodStart: 'datetime', ChargeCategory: 'string',
  ChargeClass: 'string', ChargeDescription: 'string', ChargeFrequency: 'string', ChargePeriodEnd: 'datetime',
  ChargePeriodStart: 'datetime', ConsumedQuantity: 'decimal', ConsumedUnit: 'string', ContractedCost: 'decimal',
  ContractedUnitPrice: 'decimal', EffectiveCost: 'decimal', InvoiceId: 'string', InvoiceIssuerName: 'string', ListCost: 'decimal',
  ListUnitPrice: 'decimal', PricingCategory: 'string', PricingCurrency: 'string', PricingQuantity: 'decimal', PricingUnit: 'string',
  ProviderName: 'string', PublisherName: 'string', RegionId: 'string', RegionName: 'string', ResourceId: 'string',
  ResourceName: 'string', ResourceType: 'string', ServiceCategory: 'string', ServiceName: 'string',
  ServiceProviderName: 'string', ServiceSubcategory: 'string', SkuId: 'string', SkuMeter: 'string', SkuPriceDetails: 'json',
  SkuPriceId: 'string', SubAccountId: 'string', SubAccountName: 'string', SubAccountType: 'string', Tags: 'json',
};

/** Columns a dataset must have (mandatory in 1.2, or asked for by our users: the list). */
export const REQUIRED_COLUMNS = [
  'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart',
  'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart',
  'ConsumedQuantity', 'ConsumedUnit', 'ContractedCost', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost',
  'PricingCategory', 'PricingQuantity', 'PricingUnit', 'ProviderName', 'PublisherName', 'ResourceId', 'ServiceCategory',
  'ServiceName', 'ServiceProviderName', 'SkuId', 'SubAccountId', 'Tags',
];

const NOT_NULL = [
  'BilledCost', 'BillingAccountId', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart', 'ChargeCategory',
  'ChargePeriodEnd', 'ChargePeriodStart', 'ContractedCost', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost',
  'ProviderName', 'PublisherName', 'ServiceCategory', 'ServiceName', 'ServiceProviderName',
];

const ALLOWED: Record<string, readonly string[]> = {
  ChargeCategory: ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'],
  ChargeClass: ['Correction'],
  ChargeFrequency: ['One-Time', 'Recurring', 'Usage-Based'],
  PricingCategory: ['Standard', 'Dynamic', 'Committed', 'Other'],
  ServiceCategory: [
    'AI and Machine Learning', 'Analytics', 'Business Applications', 'Compute', 'Databases', 'Developer Tools', 'Multicloud',
    'Identity', 'Integration', 'Internet of Things', 'Management and Governance', 'Media', 'Migration', 'Mobile', 'Networking',
    'Security', 'Storage', 'Web', 'Other',
  ],
};
const AI_SUBCATEGORIES = ['AI Platforms', 'Bots', 'Generative AI', 'Machine Learning', 'Natural Language Processing', 'Other (AI and Machine Learning)'];

export function validateFocus(columns: readonly string[], rows: ReadonlyArray<Record<string, Value>>): Violation[] {
  const out: Violation[] = [];
  for (const c of columns) {
    if (!(c in COLUMNS) && !c.startsWith('x_')) out.push({ row: null, column: c, rule: 'a custom column must be prefixed x_' });
  }
  if (new Set(columns).size !== columns.length) out.push({ row: null, column: '*', rule: 'column names must be unique' });
  for (const c of REQUIRED_COLUMNS) if (!columns.includes(c)) out.push({ row: null, column: c, rule: 'must be present' });
  rows.forEach((row, i) => out.push(...checkRow(row, i)));
  return out;
}

function checkRow(row: Record<string, Value>, i: number): Violation[] {
  const out: Violation[] = [];
  const fail = (column: string, rule: string) => out.push({ row: i, column, rule });
  const v = (c: string) => (row[c] === '' || row[c] === undefined ? null : row[c]!);
  for (const c of NOT_NULL) if (v(c) === null) fail(c, 'must not be null');
  for (const [c, type] of Object.entries(COLUMNS)) {
    const value = v(c);
    if (value === null) continue;
    if (type === 'decimal' && !DECIMAL.test(value)) fail(c, 'must be a decimal (digits, optional point, no exponent)');
    if (type === 'datetime' && !DATETIME.test(value)) fail(c, 'must be an ISO 8601 UTC date/time (YYYY-MM-DDTHH:mm:ssZ)');
    if (type === 'json') checkKeyValue(value, (rule) => fail(c, rule));
  }
  for (const [c, allowed] of Object.entries(ALLOWED)) {
    const value = v(c);
    if (value !== null && !allowed.includes(value)) fail(c, `must be one of ${allowed.join(', ')}`);
  }
  if (v('ServiceCategory') === 'AI and Machine Learning' && v('ServiceSubcategory') !== null && !AI_SUBCATEGORIES.includes(v('ServiceSubcategory')!)) {
    fail('ServiceSubcategory', 'must be a subcategory of its ServiceCategory');
  }
  for (const c of ['BillingCurrency', 'PricingCurrency']) {
    if (v(c) !== null && !ISO_4217.has(v(c)!)) fail(c, 'must be an ISO 4217 currency code');
  }
  for (const c of ['ConsumedUnit', 'PricingUnit']) {
    if (v(c) !== null && !UNIT.test(v(c)!)) fail(c, 'must follow the UnitFormat');
  }
  for (const [start, end] of [['ChargePeriodStart', 'ChargePeriodEnd'], ['BillingPeriodStart', 'BillingPeriodEnd']] as const) {
    if (v(start) && v(end) && !(Date.parse(v(end)!) > Date.parse(v(start)!))) fail(end, `must be after ${start}`);
  }
  if (v('ChargePeriodStart') && v('BillingPeriodStart') && v('BillingPeriodEnd')) {
    const t = Date.parse(v('ChargePeriodStart')!);
    if (t < Date.parse(v('BillingPeriodStart')!) || t >= Date.parse(v('BillingPeriodEnd')!)) fail('ChargePeriodStart', 'must lie within the billing period');
  }
  const usage = v('ChargeCategory') === 'Usage' && v('ChargeClass') !== 'Correction';
  if (usage) {
    for (const c of ['ConsumedQuantity', 'PricingQuantity', 'PricingCategory', 'SkuId']) if (v(c) === null) fail(c, 'must not be null for a Usage charge');
    if (v('ChargeFrequency') !== null && v('ChargeFrequency') !== 'Usage-Based') fail('ChargeFrequency', 'must be Usage-Based for a Usage charge');
  }
  if (v('ConsumedQuantity') !== null && v('ConsumedUnit') === null) fail('ConsumedUnit', 'must not be null when ConsumedQuantity is set');
  if (v('PricingQuantity') !== null && v('PricingUnit') === null) fail('PricingUnit', 'must not be null when PricingQuantity is set');
  if (v('BillingAccountId') !== null && v('SubAccountId') === null && v('SubAccountName') !== null) fail('SubAccountName', 'must be null when SubAccountId is');
  return out;
}

/** KeyValueFormat: a JSON object whose values are strings, numbers, booleans or null. */
function checkKeyValue(text: string, fail: (rule: string) => void) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('must be a serialized JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('must be a JSON object');
  for (const [k, value] of Object.entries(parsed)) {
    if (!k) fail('keys must not be empty');
    if (typeof value === 'object' && value !== null) fail(`the value of '${k}' must be a string, number, boolean or null`);
  }
}
