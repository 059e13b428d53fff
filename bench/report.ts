// npm run bench:report — one table of every benchmark's figures (bench/results/<name>.json)
// next to the previous results of the same benchmark: <name>.previous.json when the last
// run replaced a file, else the file as last committed. Medians are compared; min–max shows
// the spread of the runs, and the load average says how busy the shared machine was.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Figure, RESULTS_DIR, type Results } from './support/results.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function previousOf(name: string): Results | undefined {
  const kept = `${RESULTS_DIR}${name}.previous.json`;
  if (existsSync(kept)) return JSON.parse(readFileSync(kept, 'utf8')) as Results;
  const path = relative(ROOT, `${RESULTS_DIR}${name}.json`);
  try {
    // Uncommitted changes: compare with HEAD's file; else with the commit before the last that changed it.
    const changed = execFileSync('git', ['status', '--porcelain', '--', path], { cwd: ROOT, encoding: 'utf8' }).trim();
    const commits = execFileSync('git', ['log', '-n', '2', '--format=%H', '--', path], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    const at = changed ? commits[0] : commits[1];
    return at ? (JSON.parse(execFileSync('git', ['show', `${at}:${path}`], { cwd: ROOT, encoding: 'utf8' })) as Results) : undefined;
  } catch {
    return undefined;
  }
}

const num = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : Number(x.toPrecision(3)).toString());
const spread = (f: Figure) => (f.runs.length > 1 ? `${num(f.min)}–${num(f.max)}` : '');

function verdict(now: Figure, before: Figure | undefined) {
  if (!before || !before.median) return '';
  const change = (now.median - before.median) / Math.abs(before.median);
  const pct = `${change >= 0 ? '+' : ''}${(100 * change).toFixed(1)} %`;
  // Within the runs' own spread, or under 5 %: noise on a shared machine.
  const overlaps = now.min <= before.max && before.min <= now.max;
  if (Math.abs(change) < 0.05 || overlaps) return `${pct} (noise)`;
  return `${pct} ${(change > 0) === (now.better === 'higher') ? 'better' : 'WORSE'}`;
}

const files = existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.previous.json')).sort() : [];
if (!files.length) console.log('no results yet: run a benchmark (npm run bench:export, ...)');
const rows: string[][] = [['bench', 'figure', 'unit', 'previous', 'now (median)', 'min–max', 'change', 'load avg (1 min) prev → now']];
for (const file of files) {
  const now = JSON.parse(readFileSync(`${RESULTS_DIR}${file}`, 'utf8')) as Results;
  const before = previousOf(now.name);
  const load = `${before?.machine.loadAverage.start[0] ?? '–'} → ${now.machine.loadAverage.start[0]}`;
  for (const [name, f] of Object.entries(now.figures)) {
    const b = before?.figures[name];
    rows.push([now.name, name, f.unit, b ? num(b.median) : '–', num(f.median), spread(f), verdict(f, b), load]);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const [i, r] of rows.entries()) {
  console.log(r.map((c, j) => c.padEnd(widths[j]!)).join('  ').trimEnd());
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
