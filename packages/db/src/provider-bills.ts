// Provider bill lines (issue 17): an import replaces its source's lines for the days it covers,
// in one transaction, so importing a period twice counts it once.
import type { BillLine, BillSource } from '@spendgraph/schema';
import type { Db, Pool } from './pool.ts';
import { withTransaction } from './pool.ts';

export type ProviderBillLine = BillLine;

export interface BillImport {
  workspaceId: string;
  source: BillSource;
  via: 'upload' | 'connector';
  /** Every UTC day the bill speaks for (its lines' days and the empty days of its period). */
  days: string[];
  lines: ProviderBillLine[];
}

export interface BillImportResult {
  id: string;
  source: string;
  firstDay: string;
  lastDay: string;
  lines: number;
  /** Decimal string: the sum of the imported lines. */
  total: string;
  /** Lines of earlier imports the days covered replaced. */
  replaced: number;
}

const column = <K extends keyof ProviderBillLine>(lines: ProviderBillLine[], key: K) => lines.map((l) => l[key]);

export async function importBill(on: Db, bill: BillImport): Promise<BillImportResult> {
  if (bill.days.length === 0) throw new Error('a bill covers at least one day');
  const days = [...bill.days].sort();
  return withTransaction(on, async (db) => {
    // Imports of one source into one workspace take turns: two at once must not both delete then both insert.
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`provider_bills:${bill.workspaceId}:${bill.source}`]);
    const deleted = await db.query('DELETE FROM provider_bill_lines WHERE workspace_id = $1 AND source = $2 AND day = ANY($3::date[])', [bill.workspaceId, bill.source, days]);
    const { rows: [imported] } = await db.query<{ id: string; total: string }>(
      `INSERT INTO provider_bill_imports (workspace_id, source, via, first_day, last_day, lines, total)
       VALUES ($1, $2, $3, $4, $5, $6, (SELECT coalesce(sum(a), 0) FROM unnest($7::numeric[]) a))
       RETURNING id, total::text`,
      [bill.workspaceId, bill.source, bill.via, days[0], days.at(-1), bill.lines.length, column(bill.lines, 'amount')],
    );
    await db.query(
      `INSERT INTO provider_bill_lines (workspace_id, import_id, source, day, provider, model, account, line_item, currency, amount)
       SELECT $1, $2, $3, * FROM unnest($4::date[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::numeric[])`,
      [bill.workspaceId, imported!.id, bill.source, column(bill.lines, 'day'), column(bill.lines, 'provider'), column(bill.lines, 'model'),
        column(bill.lines, 'account'), column(bill.lines, 'lineItem'), column(bill.lines, 'currency'), column(bill.lines, 'amount')],
    );
    return { id: imported!.id, source: bill.source, firstDay: days[0]!, lastDay: days.at(-1)!, lines: bill.lines.length, total: imported!.total, replaced: deleted.rowCount ?? 0 };
  });
}
