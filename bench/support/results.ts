// Every benchmark's figures as a file, bench/results/<name>.json: the machine (cores,
// memory, load average at start and end), the commit, the inputs, and each figure as
// min/median/max over its runs. The file it replaces is kept beside it as
// <name>.previous.json (not committed), which `npm run bench:report` compares with;
// committed result files make a regression visible in review (git history keeps the rest).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export interface Figure {
  unit: string;
  /** Which way is better, for the report's verdict. */
  better: 'higher' | 'lower';
  runs: number[];
  min: number;
  median: number;
  max: number;
}

export interface Results {
  name: string;
  at: string;
  commit: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; loadAverage: { start: number[]; end: number[] } };
  inputs: Record<string, unknown>;
  figures: Record<string, Figure>;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * The q-quantile by nearest rank: the smallest value with at least q of the values at or below it
 * (p95 of 20 visits is the 19th slowest, not the slowest; of 10 it is the slowest).
 */
export const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
};

export const loadAverage = () => loadavg().map((l) => Number(l.toFixed(2)));

function commit() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

/** Collects a benchmark's runs by figure; `write` saves them (and keeps the file it replaces as .previous). */
export class BenchResults {
  private readonly runs = new Map<string, { unit: string; better: 'higher' | 'lower'; values: number[] }>();
  private readonly startLoad = loadAverage();
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  constructor(name: string, inputs: Record<string, unknown>) {
    this.name = name;
    this.inputs = inputs;
  }

  add(figure: string, value: number, unit: string, better: 'higher' | 'lower') {
    const f = this.runs.get(figure) ?? { unit, better, values: [] };
    f.values.push(value);
    this.runs.set(figure, f);
  }

  figure(name: string): Figure | undefined {
    const f = this.runs.get(name);
    return f && { unit: f.unit, better: f.better, runs: f.values, min: Math.min(...f.values), median: median(f.values), max: Math.max(...f.values) };
  }

  write(): string {
    const results: Results = {
      name: this.name,
      at: new Date().toISOString(),
      commit: commit(),
      machine: {
        cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version,
        loadAverage: { start: this.startLoad, end: loadAverage() },
      },
      inputs: this.inputs,
      figures: Object.fromEntries([...this.runs.keys()].map((k) => [k, this.figure(k)!])),
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = `${RESULTS_DIR}${this.name}.json`;
    if (existsSync(file)) renameSync(file, `${RESULTS_DIR}${this.name}.previous.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    return file;
  }
}
