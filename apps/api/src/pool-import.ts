// Cost pools imported from a FOCUS 1.x file (issue 17): the file is read whole (a line that cannot
// be read refuses it, naming the line and column), then its pools are created or their amounts
// replaced in one transaction (@spendgraph/db importCostPools), so a re-import changes nothing.
// POST /v1/cost-pools/focus (routes/cost-pools.ts) and Mutation.importCostPools both come here.
import { Decimal } from 'decimal.js';
import { type FocusPoolOptions, type ParsedPool, parseFocusPools } from '@spendgraph/billing';
import { type AllocationRule, type Db, type ImportedPool, importCostPools } from '@spendgraph/db';

export interface PoolImportResult {
  pools: ImportedPool[];
  skipped: ParsedPool[];
  /** Data lines the file had. */
  lines: number;
  created: number;
  updated: number;
  unchanged: number;
}

/** Throws BillParseError (field = the column, line = the file's line) when the file cannot be read. */
export async function importFocusPools(db: Db, workspaceId: string, text: string, options: FocusPoolOptions, rule: AllocationRule | null): Promise<PoolImportResult> {
  const parsed = parseFocusPools(text, options);
  const pools = parsed.pools.length ? await importCostPools(db, workspaceId, parsed.pools, rule) : [];
  const count = (f: (p: ImportedPool) => boolean) => pools.filter(f).length;
  return {
    pools, skipped: parsed.skipped, lines: parsed.lines,
    created: count((p) => p.previousAmount === null),
    updated: count((p) => p.previousAmount !== null && !new Decimal(p.previousAmount).equals(p.amount)),
    unchanged: count((p) => p.previousAmount !== null && new Decimal(p.previousAmount).equals(p.amount)),
  };
}
