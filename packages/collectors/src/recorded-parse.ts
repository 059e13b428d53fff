// A file parsed away from the collection's session state (in a scan worker), and its replay.
//
// Work items are carried across files in the order collect() reads them (a subagent's file shares
// its session with the main one), so a worker cannot answer "which items does this call get". It
// records the parser's questions instead, in order: each `add` and each `current`, and marks each
// call with the index of the `current` that gave its items. Replaying the log on the real state in
// file order gives every call exactly the items the in-process pass would have.
// The calls travel as columns (call-columns.ts).
import type { Call } from './call.ts';
import { type CallColumns, type RecordedCall, decodeCalls, encodeCalls } from './call-columns.ts';
import type { FileParse, SessionLog } from './parse-context.ts';

type Op = { add: string; items: string[] } | { current: string; branch: string[] };

/** A FileParse whose calls (as columns) name, instead of their work items, the log entry that computes them. */
export interface RecordedParse extends Omit<FileParse, 'calls'> {
  calls: CallColumns;
  log: Op[];
}

export class RecordingSessions implements SessionLog {
  readonly log: Op[] = [];
  private readonly answers = new Map<string[], number>();

  add(session: string, items: string[]) {
    if (items.length) this.log.push({ add: session, items });
  }

  current(session: string, branchItems: string[]): string[] {
    const answer: string[] = []; // a token: its identity says which question it answers
    this.answers.set(answer, this.log.length);
    this.log.push({ current: session, branch: branchItems });
    return answer;
  }

  /** The parse with each call's items replaced by the index of its question, its calls as columns. */
  record(parsed: FileParse): RecordedParse {
    // In place: the calls are the parser's own, and a copy of each is garbage a worker makes per call.
    const calls = parsed.calls as unknown as RecordedCall[];
    for (const c of parsed.calls) {
      const at = this.answers.get(c.workItems);
      if (at === undefined) throw new Error(`call ${c.key} has work items the session log did not give`);
      (c as unknown as RecordedCall).workItems = at;
    }
    return { ...parsed, calls: encodeCalls(calls), log: this.log };
  }
}

/** The parse as the in-process pass gives it: the log replayed on `sessions` (in the order files are read). */
export function replay(parsed: RecordedParse, sessions: SessionLog): FileParse {
  const answers: Array<string[] | undefined> = parsed.log.map((op) => {
    if ('add' in op) {
      sessions.add(op.add, op.items);
      return undefined;
    }
    return sessions.current(op.current, op.branch);
  });
  const calls: Call[] = decodeCalls(parsed.calls, (at) => answers[at]!);
  return { cursor: parsed.cursor, skipped: parsed.skipped, settles: parsed.settles, calls };
}
