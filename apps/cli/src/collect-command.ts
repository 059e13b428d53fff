// spendgraph collect: coding-agent session logs → Spendgraph, incrementally.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CollectState, DEFAULT_WORK_ITEM_PATTERN, type Roots, WorkItemMatcher, collect, defaultRoots, formatSummary, summarize } from '@spendgraph/collectors';
import { IngestError } from '@spendgraph/sdk';
import { readCliEnv } from './env.ts';
import { progressBar } from './progress.ts';
import { sendCalls } from './send.ts';

export const COLLECT_HELP = `spendgraph collect — send Claude Code, Codex CLI and Gemini CLI usage to Spendgraph

  --api URL                 Spendgraph API (env SPENDGRAPH_API_URL; default http://127.0.0.1:4000)
  --key KEY                 API key with the ingest scope (env SPENDGRAPH_API_KEY)
  --since DATE              only calls at or after DATE (ISO date or time); older calls are skipped for good
  --dry-run                 print calls and tokens per day, model and session; send nothing, remember nothing
  --json                    with --dry-run: the summary as JSON
  --watch                   keep collecting every --interval seconds (default 10)
  --work-item-pattern RE    work-item references (env SPENDGRAPH_WORK_ITEM_PATTERN; default ${DEFAULT_WORK_ITEM_PATTERN})
  --claude-dir DIRS         Claude config roots, comma-separated (default CLAUDE_CONFIG_DIR or ~/.config/claude,~/.claude)
  --codex-dir DIR           Codex home (default CODEX_HOME or ~/.codex)
  --gemini-dir DIR          Gemini home (default GEMINI_DIR or ~/.gemini)
  --state-dir DIR           what was sent (default ~/.spendgraph/collect/<hash of the API URL and key>)
  --settle SECONDS          a file written to more recently may still be streaming its last response,
                            which waits for the next run (default 60)
  --no-progress             no progress bar`;

const OPTIONS = {
  api: { type: 'string' }, key: { type: 'string' }, since: { type: 'string' }, 'dry-run': { type: 'boolean' },
  json: { type: 'boolean' }, watch: { type: 'boolean' }, interval: { type: 'string' }, 'work-item-pattern': { type: 'string' },
  'claude-dir': { type: 'string' }, 'codex-dir': { type: 'string' }, 'gemini-dir': { type: 'string' },
  'state-dir': { type: 'string' }, settle: { type: 'string' }, 'no-progress': { type: 'boolean' }, help: { type: 'boolean' },
} as const;

class UsageError extends Error {}

function options(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: false }).values;
  } catch (e: any) {
    throw new UsageError(e.message);
  }
  const env = readCliEnv();
  const api = parsed.api ?? env.SPENDGRAPH_API_URL ?? 'http://127.0.0.1:4000';
  const key = parsed.key ?? env.SPENDGRAPH_API_KEY;
  const dryRun = parsed['dry-run'] ?? false;
  if (!dryRun && !key) throw new UsageError('an API key is needed: --key or SPENDGRAPH_API_KEY (or use --dry-run)');
  const since = parsed.since === undefined ? undefined : new Date(parsed.since);
  if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since: '${parsed.since}' is not a date (use e.g. 2026-11-01)`);
  const number = (name: 'interval' | 'settle', dflt: number) => {
    const v = parsed[name] === undefined ? dflt : Number(parsed[name]);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`--${name}: must be a number of seconds`);
    return v;
  };
  const pattern = parsed['work-item-pattern'] ?? env.SPENDGRAPH_WORK_ITEM_PATTERN ?? DEFAULT_WORK_ITEM_PATTERN;
  let matcher;
  try {
    matcher = new WorkItemMatcher(pattern);
  } catch (e: any) {
    throw new UsageError(`--work-item-pattern: ${e.message}`);
  }
  const roots: Roots = defaultRoots();
  if (parsed['claude-dir']) roots['claude-code'] = parsed['claude-dir'].split(',').filter(Boolean);
  if (parsed['codex-dir']) roots.codex = [parsed['codex-dir']];
  if (parsed['gemini-dir']) roots['gemini-cli'] = [parsed['gemini-dir']];
  const target = createHash('sha256').update(`${api}\n${key ?? ''}`).digest('hex').slice(0, 12);
  return {
    api, key: key ?? '', dryRun, json: parsed.json ?? false, since, matcher, roots,
    watch: parsed.watch ?? false, intervalMs: number('interval', 10) * 1000, settleMs: number('settle', 60) * 1000,
    progress: !parsed['no-progress'], stateDir: parsed['state-dir'] ?? join(homedir(), '.spendgraph', 'collect', target),
  };
}

type Options = ReturnType<typeof options>;

async function once(o: Options): Promise<boolean> {
  const state = await CollectState.load(o.stateDir, { readOnly: o.dryRun });
  const progress = progressBar(o.progress && !o.watch);
  const started = performance.now();
  const result = await collect({
    roots: o.roots, state, matcher: o.matcher, since: o.since, settleMs: o.settleMs,
    onPlan: (bytes, files) => progress.plan(bytes, files), onBytes: (n) => progress.add(n),
  }).finally(() => progress.stop());
  for (const e of result.errors) process.stderr.write(`skipped ${e.path}: ${e.message}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const read = `${result.filesRead} files (${(result.bytesRead / 1048576).toFixed(1)} MB) in ${seconds}s; ${result.duplicates} repeated responses, ${result.skippedLines} non-billable lines skipped`;
  if (o.dryRun) {
    const rows = summarize(result.calls);
    process.stdout.write(o.json ? `${JSON.stringify(rows)}\n` : `${formatSummary(rows)}\n\n${result.calls.length} new calls from ${read}; nothing sent (dry run)\n`);
    return true;
  }
  let sent = 0;
  try {
    sent = await sendCalls(result.calls, state, { baseUrl: o.api, apiKey: o.key });
  } catch (e) {
    if (!(e instanceof IngestError)) throw e;
    process.stderr.write(`not sent: ${e.message}${e.body ? `\n${JSON.stringify(e.body)}` : ''}\n`);
    await state.save(); // calls already accepted stay recorded; the files are read again next run
    return false;
  }
  Object.assign(state.files, result.files);
  await state.save();
  if (!o.watch || sent > 0) process.stdout.write(`sent ${sent} calls from ${read}\n`);
  return true; // unreadable files were reported and skipped; the others were sent
}

export async function runCollect(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write(`${COLLECT_HELP}\n`);
    return 0;
  }
  let o: Options;
  try {
    o = options(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`spendgraph collect: ${e.message}\n\n${COLLECT_HELP}\n`);
    return 2;
  }
  if (!o.watch) return (await once(o)) ? 0 : 1;
  let stop = false;
  let timer: NodeJS.Timeout | undefined;
  let wake = () => {};
  const quit = () => {
    stop = true;
    clearTimeout(timer);
    wake();
  };
  process.once('SIGINT', quit).once('SIGTERM', quit);
  while (!stop) {
    await once(o).catch((e) => process.stderr.write(`collect failed: ${e.message}\n`));
    if (!stop) await new Promise<void>((resolve) => ((wake = resolve), (timer = setTimeout(resolve, o.intervalMs))));
  }
  return 0;
}
