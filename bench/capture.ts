// npm run bench:capture — capture at the source, in one run:
//  (a) `spendgraph collect` over a generated Claude Code history (BENCH_CAPTURE_MB, default 1536 MB,
//      under bench/.data, reused between runs): MB/s and calls/s; then ccusage (20.0.24) over the
//      same files: token totals must agree, and the times are compared (BENCH_RUNS runs of each, default 3;
//      target: spendgraph >= 2x ccusage's speed, issue 18); BENCH_CPU_PROF=<dir> profiles the collector;
//  (b) the proxy's overhead: p50/p99 of calls to a loopback upstream directly and through
//      /proxy/openai (plain and streamed), sequential, BENCH_CAPTURE_REQUESTS each (default 3000).
// Prints figures with the load average; the proxy target is <= 5 ms p50 overhead. Writes bench/results/capture.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { Queue } from 'bullmq';
import { createApiKey } from '@spendgraph/db';
import { INGEST_QUEUE, redisConnection } from '@spendgraph/queue';
import { startFakeLlm } from '@spendgraph/test-support/fake-llm';
import { appEnv, startApi } from './support/apps.ts';
import { generateClaudeHistory } from './support/claude-history.ts';
import { benchDatabase } from './support/events-10m.ts';
import { BenchResults, loadAverage, quantile } from './support/results.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MB = Number(process.env.BENCH_CAPTURE_MB ?? 1536);
const REQUESTS = Number(process.env.BENCH_CAPTURE_REQUESTS ?? 3000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// ---- (a) collector vs ccusage --------------------------------------------------------------
console.log(`generating (or reusing) a ${MB} MB Claude Code history under bench/.data/capture …`);
const t0 = performance.now();
const history = generateClaudeHistory(join(ROOT, 'bench/.data/capture/claude'), MB);
console.log(`  ${history.files} session files, ${fmt(history.bytes / 1048576)} MB (${fmt((performance.now() - t0) / 1000)} s)`);
const emptyHome = mkdtempSync(join(tmpdir(), 'sg-bench-home-'));

// CPU seconds (user + system, every thread) through GNU time where it is installed: on a busy shared
// machine wall time swings with the load, CPU time much less.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpuFile = join(emptyHome, 'cpu.txt');

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const start = performance.now();
  const [bin, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%U %S', '-o', cpuFile, cmd, ...args]] : [cmd, args];
  const r = spawnSync(bin, argv, { cwd: ROOT, env: { ...process.env, HOME: emptyHome, ...env }, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const cpu = GNU_TIME ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).reduce((t, x) => t + Number(x), 0) : NaN;
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: cpu, stdout: r.stdout };
}

/** One `spendgraph collect --dry-run` over the history: its time, calls and token totals. */
function collectRun(extra: string[] = []) {
  // Through the installed bin, as users run it (its shebang sets the Node flags).
  const r = timed(join(ROOT, 'node_modules/.bin/spendgraph'), ['collect', '--dry-run', '--json', '--claude-dir', history.root,
    '--codex-dir', emptyHome, '--gemini-dir', emptyHome, '--settle', '0', '--no-progress', ...extra],
    PROFILE_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` } : {});
  const rows = JSON.parse(r.stdout) as Array<Record<string, number>>;
  const sum = (f: string) => rows.reduce((t, x) => t + x[f]!, 0);
  return { ...r, calls: sum('calls'), totals: { input: sum('input'), output: sum('output'), cacheRead: sum('cache_read'), cacheCreation: sum('cache_write_5m') + sum('cache_write_1h') } };
}
function ccusageRun() {
  const r = timed(join(ROOT, 'node_modules/.bin/ccusage'), ['claude', 'daily', '--json', '--offline'], { CLAUDE_CONFIG_DIR: history.root });
  const t = JSON.parse(r.stdout).totals;
  return { ...r, totals: { input: t.inputTokens, output: t.outputTokens, cacheRead: t.cacheReadTokens, cacheCreation: t.cacheCreationTokens } };
}

const results = new BenchResults('capture', { megabytes: MB, bytes: history.bytes, files: history.files, runs: RUNS, cpuProfile: Boolean(PROFILE_DIR) });
const mbOf = (seconds: number) => history.bytes / 1048576 / seconds;
console.log(`\ncollector over the history (one process each, cold start included), ${RUNS} run(s) each`);
let agree = true;
for (let run = 0; run < RUNS; run++) {
  const ours = collectRun();
  const cc = ccusageRun();
  const one = collectRun(['--workers', '0']); // the same, parsing in the main thread only (as before the scan workers)
  const same = JSON.stringify(ours.totals) === JSON.stringify(cc.totals) && JSON.stringify(one.totals) === JSON.stringify(cc.totals);
  agree &&= same;
  results.add('collect.mb_per_s', mbOf(ours.seconds), 'MB/s', 'higher');
  results.add('collect.calls_per_s', ours.calls / ours.seconds, 'calls/s', 'higher');
  results.add('collect_one_thread.mb_per_s', mbOf(one.seconds), 'MB/s', 'higher');
  results.add('ccusage.mb_per_s', mbOf(cc.seconds), 'MB/s', 'higher');
  results.add('collect_vs_ccusage.speed_ratio', cc.seconds / ours.seconds, '×', 'higher');
  if (GNU_TIME) {
    results.add('collect.cpu_s', ours.cpuSeconds, 's', 'lower');
    results.add('collect_one_thread.cpu_s', one.cpuSeconds, 's', 'lower');
    results.add('ccusage.cpu_s', cc.cpuSeconds, 's', 'lower');
  }
  console.log(`  spendgraph collect --dry-run: ${fmt(ours.seconds, 2)} s — ${fmt(mbOf(ours.seconds))} MB/s, ${fmt(ours.calls / ours.seconds, 0)} calls/s (${ours.calls.toLocaleString('en-US')} calls); ` +
    `--workers 0: ${fmt(one.seconds, 2)} s; ccusage claude daily: ${fmt(cc.seconds, 2)} s — ${fmt(mbOf(cc.seconds))} MB/s; ratio ${fmt(cc.seconds / ours.seconds, 2)}×; ` +
    `CPU s ours ${fmt(ours.cpuSeconds, 2)} / one thread ${fmt(one.cpuSeconds, 2)} / ccusage ${fmt(cc.cpuSeconds, 2)}; load ${loadAverage()[0]}`);
  console.log(`  token totals ${same ? 'AGREE' : 'DIFFER'}: ours ${JSON.stringify(ours.totals)}`);
  if (!same) console.log(`                      ccusage ${JSON.stringify(cc.totals)}`);
}
const speed = results.figure('collect_vs_ccusage.speed_ratio')!.median;
console.log(`\nratio (median of the runs): spendgraph ÷ ccusage speed ${fmt(speed, 2)}  (target >= 2.00) ${speed >= 2 ? 'ok' : 'MISSED'}; totals ${agree ? 'agree' : 'DIFFER'}`);
if (!agree) process.exitCode = 1;

// ---- (b) proxy overhead ----------------------------------------------------------------------
const { dbUrl, pool, workspaceId } = await benchDatabase('spendgraph_bench_capture', 'bench-capture');
const { key } = await createApiKey(pool, workspaceId, ['ingest'], 'bench-capture');

const upstream = await startFakeLlm({ record: false });
const PORT = 4900 + Math.floor(Math.random() * 90);
const prefix = `sg-bench-capture-${PORT}`;
const { child: api, url: apiUrl } = await startApi(appEnv({ databaseUrl: dbUrl, apiPort: PORT, queuePrefix: prefix, extra: { PROXY_OPENAI_UPSTREAM: upstream.url } }));

const client = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
async function call(url: string, stream: boolean): Promise<number> {
  const start = performance.now();
  const res = await request(url, {
    method: 'POST', dispatcher: client,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', 'x-spendgraph-key': key, 'x-spendgraph-user-id': 'bench', 'x-spendgraph-feature': 'chat' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }], stream }),
  });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
  return performance.now() - start;
}
async function series(url: string, stream: boolean) {
  for (let i = 0; i < 200; i++) await call(url, stream); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < REQUESTS; i++) ms.push(await call(url, stream));
  return ms;
}
console.log(`\nproxy overhead (${REQUESTS} sequential calls each, loopback upstream)`);
for (const stream of [false, true]) {
  const direct = await series(`${upstream.url}/v1/chat/completions`, stream);
  const proxied = await series(`${apiUrl}/proxy/openai/v1/chat/completions`, stream);
  const [d50, d99, p50, p99] = [quantile(direct, 0.5), quantile(direct, 0.99), quantile(proxied, 0.5), quantile(proxied, 0.99)];
  results.add(`proxy_${stream ? 'streamed' : 'plain'}.overhead_p50_ms`, p50 - d50, 'ms', 'lower');
  results.add(`proxy_${stream ? 'streamed' : 'plain'}.overhead_p99_ms`, p99 - d99, 'ms', 'lower');
  console.log(`  ${stream ? 'streamed (SSE)' : 'plain JSON    '}  direct p50 ${fmt(d50, 2)} ms / p99 ${fmt(d99, 2)} ms; proxied p50 ${fmt(p50, 2)} ms / p99 ${fmt(p99, 2)} ms; overhead p50 ${fmt(p50 - d50, 2)} ms / p99 ${fmt(p99 - d99, 2)} ms`);
}

api.kill('SIGTERM');
await new Promise((r) => api.once('exit', r));
await upstream.close();
await client.close();
const redis = redisConnection(process.env.REDIS_URL!, 'producer');
const queue = new Queue(INGEST_QUEUE, { connection: redis, prefix });
await queue.obliterate({ force: true }); // the proxied calls' jobs (no worker ran)
await queue.close();
redis.disconnect();
await pool.end();
console.log(`load average at the end: ${loadAverage().join(' ')}; results: ${results.write()}`);
