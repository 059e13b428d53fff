// One collection pass: find the log files, read what is new in each, keep each response once.
import { parseAmp } from './amp.ts';
import type { Call } from './call.ts';
import { parseClaude } from './claude.ts';
import { parseCodex } from './codex.ts';
import { type LogFile, type Roots, discover } from './discover.ts';
import { parseGemini } from './gemini.ts';
import { parseOpenCodeDb, parseOpenCodeMessage } from './opencode.ts';
import { parseQwen } from './qwen.ts';
import type { Parser } from './parse-context.ts';
import type { CollectState, FileState } from './state.ts';
import type { WorkItemMatcher } from './work-items.ts';

const PARSERS: Record<LogFile['tool'], Parser> = {
  'claude-code': parseClaude,
  codex: parseCodex,
  'gemini-cli': parseGemini,
  opencode: (path, from, ctx) => (path.endsWith('.db') ? parseOpenCodeDb : parseOpenCodeMessage)(path, from, ctx),
  amp: parseAmp,
  'qwen-code': parseQwen,
};

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
  o.onPlan?.(changed.reduce((n, f) => n + f.size - start(f).offset, 0), changed.length);
  const result: CollectResult = { calls: [], files: {}, errors, filesRead: 0, bytesRead: 0, skippedLines: 0, duplicates: 0 };
  const seen = new Map<string, number>(); // key → index in result.calls (-1: before --since)
  const ctx = {
    matcher: o.matcher,
    sessions: o.state.sessions,
    onBytes: (n: number) => { result.bytesRead += n; o.onBytes?.(n); },
  };
  for (const file of changed) {
    let parsed;
    try {
      parsed = await PARSERS[file.tool](file.path, start(file), ctx);
    } catch (e: any) {
      result.errors.push({ path: file.path, message: e.code === 'EACCES' ? 'permission denied' : e.message });
      continue;
    }
    result.filesRead++;
    result.skippedLines += parsed.skipped;
    let cursor = parsed.cursor;
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
  return result;
}
