// spendgraph collect: coding-agent session logs → Spendgraph, incrementally.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CollectState, DEFAULT_WORK_ITEM_PATTERN, type Roots, WorkItemMatcher, collect, defaultRoots, formatSources, formatSummary, listSources,
  summarize, thisMachine,
} from '@spendgraph/collectors';
import { IngestError } from '@spendgraph/sdk';
import { type Scheduler, defaultScheduler, install } from './install.ts';
import { readCliEnv } from './env.ts';
import { progressBar } from './progress.ts';
import { sendCalls } from './send.ts';

export const COLLECT_HELP = `spendgraph collect — send Claude Code, Codex CLI, Gemini CLI, OpenCode, Amp and Qwen Code usage to Spendgraph

  --api URL                 Spendgraph API (env SPENDGRAPH_API_URL; default http://127.0.0.1:4000)
  --key KEY                 API key with the ingest scope (env SPENDGRAPH_API_KEY)
  --key-file FILE           read the key from FILE instead
  --since DATE              only calls at or after DATE (ISO date or time); older calls are skipped for good
  --dry-run                 print calls and tokens per day, model and session; send nothing, remember nothing
  --json                    with --dry-run or --list-sources: the output as JSON
  --list-sources            which agents were found on this machine and which were not (and where they were looked for)
  --user ID                 the developer these calls are for: the events' user_id (env SPENDGRAPH_USER)
  --machine NAME            the events' machine tag (env SPENDGRAPH_MACHINE; default a hash of the host name),
                            e.g. one name for a pool of CI runners
  --watch                   keep collecting every --interval seconds (default 10)
  --work-item-pattern RE    work-item references (env SPENDGRAPH_WORK_ITEM_PATTERN; default ${DEFAULT_WORK_ITEM_PATTERN})
  --claude-dir DIRS         Claude config roots, comma-separated (default CLAUDE_CONFIG_DIR or ~/.config/claude,~/.claude)
  --codex-dir DIR           Codex home (default CODEX_HOME or ~/.codex)
  --gemini-dir DIR          Gemini home (default GEMINI_DIR or ~/.gemini)
  --opencode-dir DIR        OpenCode data folder (default $XDG_DATA_HOME/opencode or ~/.local/share/opencode)
  --amp-dir DIR             Amp data folder (default AMP_DATA_DIR or ~/.local/share/amp)
  --qwen-dir DIR            Qwen Code runtime folder (default QWEN_RUNTIME_DIR or ~/.qwen)
  --state-dir DIR           what was sent (default ~/.spendgraph/collect/<hash of the API URL and key>)
  --settle SECONDS          a file written to more recently may still be streaming its last response,
                            which waits for the next run (default 60)
  --no-progress             no progress bar
  --workers N               parse log files on N threads (default: when over 16 MB are to be read, one per idle
                            core plus one, if that makes two or more; 0: all in the main thread)
  --install                 run collect in the background every --every minutes (default 15) with this --api and
                            key: a systemd user timer (Linux), a launchd agent (macOS) or a crontab line
                            (--scheduler cron); the key goes to ~/.spendgraph/key (mode 600)
  --scheduler NAME          with --install: systemd, cron or launchd (default: launchd on macOS, else systemd)
  --no-start                with --install: write the files, do not start the schedule (prints how to)`;

const OPTIONS = {
  api: { type: 'string' }, key: { type: 'string' }, since: { type: 'string' }, 'dry-run': { type: 'boolean' },
  json: { type: 'boolean' }, watch: { type: 'boolean' }, interval: { type: 'string' }, 'work-item-pattern': { type: 'string' },
  'claude-dir': { type: 'string' }, 'codex-dir': { type: 'string' }, 'gemini-dir': { type: 'string' }, 'opencode-dir': { type: 'string' }, 'amp-dir': { type: 'string' },
  'qwen-dir': { type: 'string' },
  'list-sources': { type: 'boolean' }, user: { type: 'string' }, machine: { type: 'string' }, 'key-file': { type: 'string' }, install: { type: 'boolean' },
  every: { type: 'string' }, scheduler: { type: 'string' }, 'no-start': { type: 'boolean' },
  'state-dir': { type: 'string' }, settle: { type: 'string' }, workers: { type: 'string' }, 'no-progress': { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export class UsageError extends Error {}

export function readKey(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e: any) {
    throw new UsageError(`--key-file: cannot read ${file} (${e.code ?? e.message})`);
  }
}

function options(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: false }).values;
  } catch (e: any) {
    throw new UsageError(e.message);
  }
  const env = readCliEnv();
  const api = parsed.api ?? env.SPENDGRAPH_API_URL ?? 'http://127.0.0.1:4000';
  const key = parsed['key-file'] ? readKey(parsed['key-file']) : (parsed.key ?? env.SPENDGRAPH_API_KEY);
  const dryRun = parsed['dry-run'] ?? false;
  const listOnly = parsed['list-sources'] ?? false;
  if (!dryRun && !listOnly && !key) throw new UsageError('an API key is needed: --key or SPENDGRAPH_API_KEY (or use --dry-run)');
  const since = parsed.since === undefined ? undefined : new Date(parsed.since);
  if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since: '${parsed.since}' is not a date (use e.g. 2026-11-01)`);
  const number = (name: 'interval' | 'settle', dflt: number) => {
    const v = parsed[name] === undefined ? dflt : Number(parsed[name]);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`--${name}: must be a number of seconds`);
    return v;
  };
  const workers = parsed.workers === undefined ? undefined : Number(parsed.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 64)) throw new UsageError('--workers: must be a whole number from 0 to 64');
  const every = parsed.every === undefined ? 15 : Number(parsed.every);
  if (!Number.isInteger(every) || every < 1 || every > 1440) throw new UsageError('--every: must be a whole number of minutes from 1 to 1440');
  const scheduler = (parsed.scheduler ?? defaultScheduler()) as Scheduler;
  if (!['systemd', 'cron', 'launchd'].includes(scheduler)) throw new UsageError(`--scheduler: '${parsed.scheduler}' is not one of systemd, cron, launchd`);
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
  if (parsed['opencode-dir']) roots.opencode = [parsed['opencode-dir']];
  if (parsed['amp-dir']) roots.amp = [parsed['amp-dir']];
  if (parsed['qwen-dir']) roots['qwen-code'] = [parsed['qwen-dir']];
  const who = { user: parsed.user ?? env.SPENDGRAPH_USER, name: parsed.machine ?? env.SPENDGRAPH_MACHINE };
  const target = createHash('sha256').update(`${api}\n${key ?? ''}`).digest('hex').slice(0, 12);
  return {
    install: parsed.install ?? false, every, scheduler, start: !parsed['no-start'],
    api, key: key ?? '', dryRun, listOnly, json: parsed.json ?? false, since, matcher, roots, who,
    origin: thisMachine(who),
    watch: parsed.watch ?? false, intervalMs: number('interval', 10) * 1000, settleMs: number('settle', 60) * 1000,
    progress: !parsed['no-progress'], workers, stateDir: parsed['state-dir'] ?? join(homedir(), '.spendgraph', 'collect', target),
  };
}

type Options = ReturnType<typeof options>;

async function once(o: Options): Promise<boolean> {
  const state = await CollectState.load(o.stateDir, { readOnly: o.dryRun });
  const progress = progressBar(o.progress && !o.watch);
  const started = performance.now();
  const result = await collect({
    roots: o.roots, state, matcher: o.matcher, since: o.since, settleMs: o.settleMs, ...(o.workers === undefined ? {} : { workers: o.workers }),
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
    sent = await sendCalls(result.calls, state, { baseUrl: o.api, apiKey: o.key }, o.origin);
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

async function installCommand(o: Options): Promise<number> {
  if (o.dryRun) {
    process.stderr.write('spendgraph collect: --install schedules sending; it cannot be a --dry-run\n');
    return 2;
  }
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const done = await install({
    home: homedir(), api: o.api, key: o.key, every: o.every, scheduler: o.scheduler, start: o.start,
    command: [process.execPath, '--max-semi-space-size=64', main],
    extra: [...(o.who.user ? ['--user', o.who.user] : []), ...(o.who.name ? ['--machine', o.who.name] : [])],
  });
  process.stdout.write(`key written to ${done.keyFile} (mode 600)\n${done.files.map((f) => `wrote ${f}`).join('\n')}\n`);
  if (done.started) process.stdout.write(`started: collect runs every ${o.every} minutes\n`);
  else if (!o.start) process.stdout.write(`to start it: ${done.next}\n`);
  else process.stderr.write(`could not start the schedule; run: ${done.next}${o.scheduler === 'systemd' ? ' (or install with --scheduler cron where systemd user instances are not available)' : ''}\n`);
  return done.started || !o.start ? 0 : 1;
}

async function listSourcesCommand(o: Options): Promise<number> {
  const { sources, errors } = await listSources(o.roots);
  for (const e of errors) process.stderr.write(`cannot read ${e.path}: ${e.message}\n`);
  process.stdout.write(o.json ? `${JSON.stringify(sources)}\n` : `${formatSources(sources)}\n`);
  return 0;
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
  if (o.listOnly) return listSourcesCommand(o);
  if (o.install) return installCommand(o);
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
