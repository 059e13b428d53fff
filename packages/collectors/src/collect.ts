// One collection pass: find the log files, read what is new in each, keep each response once.
import type { Call } from './call.ts';
import { type LogFile, type Roots, discover } from './discover.ts';
import type { Cursor, FileParse } from './parse-context.ts';
import { PARSERS } from './parsers.ts';
import { type RecordedParse, replay } from './recorded-parse.ts';
import { ScanPool, defaultWorkers } from './scan-pool.ts';
import type { CollectState, FileState } from './state.ts';
import type { WorkItemMatcher } from './work-items.ts';

export interface CollectOptions {
  roots: Roots;
  state: CollectState;
  matcher: WorkItemMatcher;
  /** Calls before this instant are skipped (and not sent later either). */
  since?: Date | undefined;
  /** A file written to within this many ms may still be streaming its last response: that response waits. */
  settleMs?: number;
  now?: number;
  /** Called once with the bytes to read, then with each chunk read. */
  onPlan?: (totalBytes: number, files: number) => void;
  onBytes?: (n: number) => void;
  /** Scan workers parsing files in parallel (0: all in this thread); default one per core for large reads. */
  workers?: number;
}

export interface CollectResult {
  /** New calls, each response once, in file order. */
  calls: Call[];
  /** File states to record once the calls are sent. */
  files: Record<string, FileState>;
  errors: Array<{ path: string; message: string }>;
  filesRead: number;
  bytesRead: number;
  skippedLines: number;
  duplicates: number;
}

/** Whether a copy of a call comes from a session that started before the one of the copy kept so far. */
function earlier(copy: Call, kept: Call): boolean {
  return copy.origin !== undefined && kept.origin !== undefined && Date.parse(copy.origin) < Date.parse(kept.origin);
}

export async function collect(o: CollectOptions): Promise<CollectResult> {
  const now = o.now ?? Date.now();
  const settleMs = o.settleMs ?? 60_000;
  const { files, errors } = await discover(o.roots);
  const changed = files.filter((f) => {
    const s = o.state.files[f.path];
    return !s || s.size !== f.size || s.mtimeMs !== f.mtimeMs;
  });
  const start = (f: LogFile) => {
    const s = o.state.files[f.path];
    // A file that shrank was rewritten (or is a JSON document): read it again from the start.
    return s && s.offset <= f.size && !f.path.endsWith('.json') ? { offset: s.offset, carry: s.carry } : { offset: 0 };
  };
  const plan = changed.map((file) => ({ file, from: start(file) }));
  const bytes = plan.reduce((n, p) => n + p.file.size - p.from.offset, 0);
  o.onPlan?.(bytes, plan.length);
  const result: CollectResult = { calls: [], files: {}, errors, filesRead: 0, bytesRead: 0, skippedLines: 0, duplicates: 0 };
  const seen = new Map<string, number>(); // key → index in result.calls (-1: before --since)
  const ctx = {
    matcher: o.matcher,
    sessions: o.state.sessions,
    onBytes: (n: number) => { result.bytesRead += n; o.onBytes?.(n); },
  };
  const workers = o.workers ?? defaultWorkers(bytes, plan.length);
  const pool = workers > 0 ? new ScanPool(workers, o.matcher.pattern, ctx.onBytes) : undefined;
  const parses: Array<Promise<RecordedParse>> | undefined = pool?.parseAll(plan);
  try {
    for (const [i, { file, from }] of plan.entries()) {
      let parsed: FileParse;
      try {
        // Replayed in file order, so work items carry across files as in one thread.
        parsed = parses ? replay(await parses[i]!, ctx.sessions) : await PARSERS[file.tool](file.path, from, ctx);
      } catch (e: any) {
        result.errors.push({ path: file.path, message: e.code === 'EACCES' ? 'permission denied' : e.message });
        continue;
      }
      keep(file, parsed, result, seen, { ...o, now, settleMs });
    }
  } finally {
    await pool?.close();
  }
  return result;
}

/** A file's parse into the pass: its state to record, and its calls not seen before (nor held back while the file may still grow). */
function keep(file: LogFile, parsed: FileParse, result: CollectResult, seen: Map<string, number>, o: CollectOptions & { now: number; settleMs: number }) {
  const { now, settleMs } = o;
  result.filesRead++;
  result.skippedLines += parsed.skipped;
  let cursor: Cursor = parsed.cursor;
  let calls = parsed.calls;
  let mtimeMs = file.mtimeMs;
  // --settle 0 holds nothing back, even a file whose (fractional) mtime is past Date.now()'s whole ms.
  if (parsed.settles && settleMs > 0 && now - file.mtimeMs < settleMs && calls.length) {
    // The last response may still be streaming: leave it (and what follows) for the next run.
    const held = calls.reduce((a, c) => (c.offset > a.offset ? c : a));
    calls = calls.filter((c) => c.offset < held.offset);
    cursor = { ...cursor, offset: held.offset };
    mtimeMs = -1; // read again next run even if the file does not change
  }
  result.files[file.path] = { ...cursor, size: file.size, mtimeMs };
  for (const call of calls) {
    const at = seen.get(call.key);
    if (at !== undefined || o.state.wasSent(call.key) || call.aliases?.some((k) => o.state.wasSent(k))) {
      result.duplicates++;
      if (at !== undefined && at >= 0 && earlier(call, result.calls[at]!)) result.calls[at] = call;
      continue;
    }
    if (o.since && !(Date.parse(call.occurredAt) >= o.since.getTime())) {
      seen.set(call.key, -1);
      continue;
    }
    seen.set(call.key, result.calls.length);
    result.calls.push(call);
  }
}
