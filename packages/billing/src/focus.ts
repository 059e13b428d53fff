// FOCUS 1.x cost and usage files (AWS, Azure, GCP, FinOps tools, and Spendgraph's own FOCUS
// export): BilledCost in BillingCurrency per charge period. ServiceProviderName is FOCUS 1.3's
// name for ProviderName. The model comes from an `x_Model` column, or ResourceName when
// ResourceType is `Model` (as Spendgraph's export writes it).
import { type ParsedBill, billOf, providerOf } from './line.ts';
import { type CsvRow, currency, day, firstOf, money, readCsv } from './csv.ts';

const REQUIRED = [['ChargePeriodStart'], ['BilledCost'], ['BillingCurrency'], ['ServiceProviderName', 'ProviderName']];

function modelOf(row: CsvRow): string | null {
  return firstOf(row, ['x_Model', 'x_model', 'x_ModelName']) ?? (row.get('ResourceType') === 'Model' ? row.get('ResourceName') ?? null : null);
}

export function parseFocusCsv(text: string): ParsedBill {
  const { rows } = readCsv(text, REQUIRED);
  const lines = rows.map((row) => ({
    day: day(row, 'ChargePeriodStart'),
    provider: providerOf(firstOf(row, ['ServiceProviderName', 'ProviderName']) ?? 'unspecified'),
    model: modelOf(row),
    account: row.get('SubAccountId') ?? null,
    lineItem: firstOf(row, ['ChargeDescription', 'SkuId']) ?? null,
    currency: currency(row, 'BillingCurrency'),
    amount: money(row, 'BilledCost'),
  }));
  return billOf(lines);
}
