// What every log parser gets and returns.
import type { Call } from './call.ts';
import type { WorkItemMatcher } from './work-items.ts';

/** What a parser asks of the work items sessions referenced (SessionItems, or a recording of the questions in a scan worker). */
export interface SessionLog {
  add(session: string, items: string[]): void;
  /** The items a call of the session is attributed to: the session's so far plus its branch's (sorted). */
  current(session: string, branchItems: string[]): string[];
}

export interface ParseContext {
  matcher: WorkItemMatcher;
  sessions: SessionLog;
  onBytes?: ((n: number) => void) | undefined;
}

export interface Cursor {
  /** Where the next read starts. */
  offset: number;
  /** Per-file parser state needed to resume (Codex: session, model, last totals). */
  carry?: Record<string, unknown> | undefined;
}

export interface FileParse {
  calls: Call[];
  cursor: Cursor;
  /** Lines skipped as not billable (synthetic models, API error messages, empty usage). */
  skipped: number;
  /** Whether the file's last call may still grow (streamed partials are written as several lines). */
  settles: boolean;
}

export type Parser = (path: string, from: Cursor, ctx: ParseContext) => Promise<FileParse>;

/** Text of a chat message's content: a string or an array of blocks/parts with `text` (tool results are left out). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b) => b && typeof b.text === 'string' && (b.type === undefined || b.type === 'text'))
    .map((b) => b.text as string)
    .join('\n');
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}
