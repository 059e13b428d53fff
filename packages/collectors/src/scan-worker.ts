// A scan worker (scan-pool.ts): parses the files it is sent, one at a time, with a recording of the
// session questions (recorded-parse.ts), and posts progress and each file's parse back.
import { parentPort } from 'node:worker_threads';
import { transferList } from './call-columns.ts';
import type { LogFile } from './discover.ts';
import type { Cursor } from './parse-context.ts';
import { PARSERS } from './parsers.ts';
import { RecordingSessions } from './recorded-parse.ts';
import { WorkItemMatcher } from './work-items.ts';

export interface ScanJob { id: number; tool: LogFile['tool']; path: string; from: Cursor; pattern: string }
export type ScanReply =
  | { id: number; bytes: number }
  | { id: number; parsed: import('./recorded-parse.ts').RecordedParse }
  | { id: number; error: { message: string; code?: string | undefined } };

const matchers = new Map<string, WorkItemMatcher>();
const port = parentPort!;

// Jobs arrive ahead of time (scan-pool.ts): they run one after the other.
let queue = Promise.resolve();
port.on('message', (job: ScanJob) => {
  queue = queue.then(() => run(job));
});

async function run(job: ScanJob) {
  let matcher = matchers.get(job.pattern);
  if (!matcher) matchers.set(job.pattern, (matcher = new WorkItemMatcher(job.pattern)));
  const sessions = new RecordingSessions();
  const onBytes = (bytes: number) => port.postMessage({ id: job.id, bytes } satisfies ScanReply);
  try {
    const parsed = await PARSERS[job.tool](job.path, job.from, { matcher, sessions, onBytes });
    const recorded = sessions.record(parsed);
    // The columns' buffers are moved, not copied.
    port.postMessage({ id: job.id, parsed: recorded } satisfies ScanReply, transferList(recorded.calls));
  } catch (e: any) {
    port.postMessage({ id: job.id, error: { message: String(e?.message ?? e), code: e?.code } } satisfies ScanReply);
  }
}
