// spendgraph import: history kept in another tool (Langfuse, Helicone, LiteLLM, ccusage) → Spendgraph.
import { parseArgs } from 'node:util';
import { IngestError } from '@spendgraph/sdk';
import { UsageError, readKey } from './collect-command.ts';
import { readCliEnv } from './env.ts';
import { FORMATS, type Format, ImportError, type ImportSummary, type Totals, importFile } from './import/importer.ts';
import { progressBar } from './progress.ts';

export const IMPORT_HELP = `spendgraph import FILE... — bring usage history from another tool into Spendgraph

  FILE                      a Langfuse observations export (CSV or JSON), a Helicone request export
                            (CSV, JSON or JSONL), a LiteLLM SpendLogs export (CSV or JSON) or a
                            ccusage report (daily, weekly, monthly or session --json)
  --format NAME             ${FORMATS.join(', ')} (default: told from the file's fields)
  --provider NAME           the provider of rows whose model does not tell it
  --api URL                 Spendgraph API (env SPENDGRAPH_API_URL; default http://127.0.0.1:4000)
  --key KEY                 API key with the ingest scope (env SPENDGRAPH_API_KEY)
  --key-file FILE           read the key from FILE instead
  --dry-run                 map and reconcile, send nothing
  --json                    the summaries as JSON
  --no-progress             no progress bar

Each row is sent under an id derived from the tool's own id for it: importing a file again (or an
overlapping export) stores nothing twice. The summary reconciles rows, tokens and cost imported
(plus those skipped, with why) with the file's own totals; the exit status is 1 when they differ.`;

const OPTIONS = {
  format: { type: 'string' }, provider: { type: 'string' }, api: { type: 'string' }, key: { type: 'string' }, 'key-file': { type: 'string' },
  'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, 'no-progress': { type: 'boolean' }, help: { type: 'boolean' },
} as const;

function options(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (e: any) {
    throw new UsageError(e.message);
  }
  const v = parsed.values;
  const env = readCliEnv();
  if (parsed.positionals.length === 0) throw new UsageError('name the file(s) to import');
  if (v.format !== undefined && !(FORMATS as readonly string[]).includes(v.format)) throw new UsageError(`--format: '${v.format}' is not one of ${FORMATS.join(', ')}`);
  const key = v['key-file'] ? readKey(v['key-file']) : (v.key ?? env.SPENDGRAPH_API_KEY);
  const dryRun = v['dry-run'] ?? false;
  if (!dryRun && !key) throw new UsageError('an API key is needed: --key or SPENDGRAPH_API_KEY (or use --dry-run)');
  return {
    files: parsed.positionals, format: v.format as Format | undefined, provider: v.provider?.toLowerCase(), dryRun, json: v.json ?? false,
    progress: !v['no-progress'], transport: dryRun ? undefined : { baseUrl: v.api ?? env.SPENDGRAPH_API_URL ?? 'http://127.0.0.1:4000', apiKey: key! },
  };
}

const int = (n: number) => n.toLocaleString('en-US');
const line = (label: string, t: Totals) => `  ${label.padEnd(12)}${int(t.rows).padStart(10)}${int(t.tokens).padStart(16)}${t.cost.padStart(24)}`;

export function formatImportSummary(path: string, s: ImportSummary, dryRun: boolean): string {
  const reasons = Object.entries(s.skipped.reasons).sort((a, b) => b[1] - a[1]).map(([why, n]) => `      ${int(n).padStart(8)}  ${why}`);
  return [
    `${path}: ${s.format} export (${s.shape})`,
    `  ${''.padEnd(12)}${'rows'.padStart(10)}${'tokens'.padStart(16)}${'cost (USD)'.padStart(24)}`,
    line('in the file', s.file), line('imported', s.imported), line('skipped', s.skipped), ...reasons,
    s.balanced ? '  reconciled: imported + skipped = the file\'s own totals'
      : '  NOT reconciled: imported + skipped differ from the file\'s own totals (a row\'s figures disagree with themselves)',
    dryRun ? '  dry run: nothing sent' : `  sent ${int(s.sent)} events (each under a stable id: importing again stores nothing twice)`,
  ].join('\n');
}

export async function runImport(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write(`${IMPORT_HELP}\n`);
    return 0;
  }
  let o: ReturnType<typeof options>;
  try {
    o = options(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`spendgraph import: ${e.message}\n\n${IMPORT_HELP}\n`);
    return 2;
  }
  const summaries: Array<ImportSummary & { path: string }> = [];
  for (const path of o.files) {
    const progress = progressBar(o.progress);
    try {
      const s = await importFile({ path, format: o.format, provider: o.provider, transport: o.transport, onPlan: (b) => progress.plan(b, 1), onBytes: (b) => progress.add(b) })
        .finally(() => progress.stop());
      summaries.push({ path, ...s });
      if (!o.json) process.stdout.write(`${formatImportSummary(path, s, o.dryRun)}\n`);
    } catch (e: any) {
      if (!(e instanceof ImportError || e instanceof IngestError || e instanceof SyntaxError || e.code === 'ENOENT' || String(e.code).startsWith('CSV_'))) throw e;
      process.stderr.write(`spendgraph import: ${path}: ${e.message}${e.body ? `\n${JSON.stringify(e.body)}` : ''}\n`);
      return 1;
    }
  }
  if (o.json) process.stdout.write(`${JSON.stringify(summaries)}\n`);
  return summaries.every((s) => s.balanced) ? 0 : 1;
}
