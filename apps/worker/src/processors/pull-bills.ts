// The scheduled cost-report connectors (issue 17): pulls the last BILLS_PULL_DAYS days of
// OpenAI's and Anthropic's cost reports, page by page, and imports them into the configured
// workspace. Each import replaces that source's lines for the days the report covers, so a
// pull repeated every few hours keeps revised days right and never double counts.
import type { Logger } from 'pino';
import { type ConnectorSource, pullCostReport } from '@spendgraph/billing';
import { type BillImportResult, type Pool, findWorkspace, importBill } from '@spendgraph/db';
import { now } from '@spendgraph/periods';
import type { CheckBillVarianceJobData } from '@spendgraph/queue';
import type { WorkerConfig } from '../config.ts';

type BillsConfig = Pick<WorkerConfig, 'BILLS_WORKSPACE' | 'BILLS_OPENAI_ADMIN_KEY' | 'BILLS_OPENAI_BASE_URL' | 'BILLS_ANTHROPIC_ADMIN_KEY' | 'BILLS_ANTHROPIC_BASE_URL' | 'BILLS_PULL_DAYS'>;

interface Connector { source: ConnectorSource; baseUrl: string; adminKey: string }

/** The connectors with a key; none without a workspace to import into. */
export function billConnectors(c: BillsConfig): Connector[] {
  if (!c.BILLS_WORKSPACE) return [];
  const all: Array<Connector | undefined> = [
    c.BILLS_OPENAI_ADMIN_KEY ? { source: 'openai', baseUrl: c.BILLS_OPENAI_BASE_URL, adminKey: c.BILLS_OPENAI_ADMIN_KEY } : undefined,
    c.BILLS_ANTHROPIC_ADMIN_KEY ? { source: 'anthropic', baseUrl: c.BILLS_ANTHROPIC_BASE_URL, adminKey: c.BILLS_ANTHROPIC_ADMIN_KEY } : undefined,
  ];
  return all.filter((x): x is Connector => x !== undefined);
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `afterImport`: the variance check of an import's days (check-bill-variance.ts). */
export function pullBillsProcessor(deps: { pool: Pool; config: BillsConfig; log: Logger; afterImport?: (d: CheckBillVarianceJobData) => Promise<unknown> }) {
  return async (): Promise<{ imports: BillImportResult[] }> => {
    const connectors = billConnectors(deps.config);
    if (connectors.length === 0) return { imports: [] };
    const workspace = await findWorkspace(deps.pool, deps.config.BILLS_WORKSPACE!);
    if (!workspace) throw new Error(`BILLS_WORKSPACE: no workspace '${deps.config.BILLS_WORKSPACE}'`);
    const today = Date.parse(`${utcDay(now().getTime())}T00:00:00Z`);
    const from = utcDay(today - (deps.config.BILLS_PULL_DAYS - 1) * 86_400_000);
    const to = utcDay(today + 86_400_000);
    const imports: BillImportResult[] = [];
    const failed: string[] = [];
    for (const c of connectors) {
      try {
        const bill = await pullCostReport({ ...c, from, to, signal: AbortSignal.timeout(5 * 60_000) });
        if (bill.days.length === 0) continue;
        const imported = await importBill(deps.pool, { workspaceId: workspace.id, source: c.source, via: 'connector', days: bill.days, lines: bill.lines });
        imports.push(imported);
        await deps.afterImport?.({ workspaceId: workspace.id, from: imported.firstDay, to: imported.lastDay });
      } catch (err) {
        // One provider down must not stop the other's import; the job fails after both tried.
        deps.log.warn({ source: c.source, err: (err as Error).message }, 'could not pull a cost report');
        failed.push(c.source);
      }
    }
    deps.log.info({ imports: imports.map((i) => ({ source: i.source, lines: i.lines, total: i.total })) }, 'provider bills pulled');
    if (failed.length > 0) throw new Error(`could not pull the cost reports of ${failed.join(', ')}`);
    return { imports };
  };
}
