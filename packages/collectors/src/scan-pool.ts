// Files parsed on every core: a pool of scan workers (scan-worker.ts), each parsing one file at a
// time, the largest files first so the last to finish is a small one. Results come back as
// recorded parses, replayed by collect() in file order (recorded-parse.ts), so the work items
// and the de-duplication are those of a pass in one thread.
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LogFile } from './discover.ts';
import type { Cursor } from './parse-context.ts';
import type { RecordedParse } from './recorded-parse.ts';
import type { ScanJob, ScanReply } from './scan-worker.ts';

/** Files sent to a worker ahead of the one it parses, so it never waits on the main thread between files. */
const DEPTH = 2;
/** Below this many bytes to read, starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/**
 * Workers for a pass: as many as there are idle cores plus the one the pass would use alone (at most
 * one per core, 8, one per file); none for small reads, and none when that makes fewer than two (the
 * pass then runs in this thread). Idle cores are the cores less the load average of the last minute
 * (0 where the platform reports none). On a busy machine the threads of a process share the CPU time
 * the scheduler gives its session (Linux groups a session's threads), so workers only add their own
 * cost there (start-up, the calls' transfer): one thread finished first in wall time (ADR 0029).
 */
export function defaultWorkers(bytes: number, files: number, load = loadavg()[0]!, cores = availableParallelism()): number {
  if (bytes < PARALLEL_MIN_BYTES || files < 2) return 0;
  const n = Math.min(8, cores, files, Math.floor(cores - load) + 1);
  return n >= 2 ? n : 0;
}

/** A parse error as the in-process pass sees it (collect() reads `code` and `message`). */
class ScanError extends Error {
  readonly code: string | undefined;
  constructor(e: { message: string; code?: string | undefined }) {
    super(e.message);
    this.code = e.code;
  }
}

interface Pending { job: ScanJob; size: number; resolve: (p: RecordedParse) => void; reject: (e: Error) => void }

export class ScanPool {
  private readonly workers: Worker[] = [];
  /** A worker once per file it may take now (DEPTH at most). */
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<number, Pending>();
  private nextId = 0;
  private readonly pattern: string;
  private readonly onBytes: ((n: number) => void) | undefined;

  constructor(size: number, pattern: string, onBytes?: (n: number) => void) {
    this.pattern = pattern;
    this.onBytes = onBytes;
    for (let i = 0; i < size; i++) {
      // A young generation as large as the CLI's (--max-semi-space-size=64): line strings die young.
      const w = new Worker(new URL('./scan-worker.ts', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 192 } });
      w.on('message', (m: ScanReply) => this.reply(w, m));
      w.on('error', (e) => this.fail(e));
      this.workers.push(w);
      for (let d = 0; d < DEPTH; d++) this.idle.push(w);
    }
  }

  /** Queues every file at once (largest first); each promise gives that file's recorded parse. */
  parseAll(files: Array<{ file: LogFile; from: Cursor }>): Array<Promise<RecordedParse>> {
    const promises = files.map(({ file, from }) => new Promise<RecordedParse>((resolve, reject) => {
      const job: ScanJob = { id: this.nextId++, tool: file.tool, path: file.path, from, pattern: this.pattern };
      this.queue.push({ job, size: file.size - from.offset, resolve, reject });
    }));
    for (const p of promises) p.catch(() => {}); // awaited in file order by the caller; never unhandled meanwhile
    this.queue.sort((a, b) => b.size - a.size);
    this.dispatch();
    return promises;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch() {
    while (this.idle.length && this.queue.length) {
      const next = this.queue.shift()!;
      const w = this.idle.shift()!; // round robin: every worker gets a file before any gets two
      this.running.set(next.job.id, next);
      w.postMessage(next.job);
    }
  }

  private reply(w: Worker, m: ScanReply) {
    if ('bytes' in m) {
      this.onBytes?.(m.bytes);
      return;
    }
    const p = this.running.get(m.id);
    this.running.delete(m.id);
    this.idle.push(w);
    this.dispatch();
    if (!p) return;
    if ('parsed' in m) p.resolve(m.parsed);
    else p.reject(new ScanError(m.error));
  }

  /** A worker that died takes every unfinished file with it: they fail, and the pass reports them. */
  private fail(e: Error) {
    for (const p of [...this.running.values(), ...this.queue]) p.reject(e);
    this.running.clear();
    this.queue.length = 0;
  }
}
