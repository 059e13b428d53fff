// Claude Code transcripts: ~/.claude/projects/<encoded cwd>/<session>.jsonl (and subagent files).
// One API response is written as several lines (content blocks, streaming partials): the key is
// the response's message id (the request id is missing behind some gateways) and the last line wins,
// since early partials carry low output_tokens. `<synthetic>` and API-error lines are not billable.
import { basename } from 'node:path';
import { effortOfBudget, knownEffort } from '@spendgraph/schema';
import { type Call, count } from './call.ts';
import { ByteScanner, type Line, type LineFilter, parseLine, readLines } from './lines.ts';
import { ResponseReader, parseWithoutContent } from './response-line.ts';
import { type Cursor, type FileParse, type ParseContext, contentText, str } from './parse-context.ts';

const ID_MARK = '"message":{"id":"';
const [USAGE, USER, TOOL_RESULT] = [0, 1, 2];
const [WITH_USAGE, PROMPT] = [1, 2];

const THINKING_MARK = '"thinkingMetadata"';
/** Looked up in a prompt line's bytes, front to back: its message and thinking. */
const [MESSAGE, THINKING] = [0, 1];
const QUOTE = 0x22;

/**
 * The thinking a prompt line asks for (Claude Code writes `thinkingMetadata` on prompts in some
 * versions, not in others: then the calls have no effort): disabled is none, else its level, else
 * its token budget mapped like any thinking budget.
 */
function thinkingEffort(m: any): string | undefined {
  if (!m || typeof m !== 'object') return undefined;
  if (m.disabled === true) return 'none';
  return knownEffort(m.level) ?? effortOfBudget(m.maxThinkingTokens);
}

/** Lines with usage, and user lines that are not tool results (prompts may name work items). */
export function relevantLines(): LineFilter {
  const scan = new ByteScanner(['"usage"', '"type":"user"', '"tool_result"']);
  return (data, start, end) => {
    if (scan.has(USAGE, data, start, end)) return WITH_USAGE;
    // Searched within the line: a user line says so near its start, and the search never runs on through the responses after it.
    return scan.within(USER, data, start, end) && !scan.within(TOOL_RESULT, data, start, end) ? PROMPT : 0;
  };
}

const ID_OPEN = Buffer.from('{"id":"');
const MESSAGE_KEY = Buffer.from('"message":');
/**
 * Where ID_MARK first occurs in the line, or -1: found as its tail `{"id":"` preceded by `"message":`
 * (a search for a pattern opening with `{` runs ten times as fast as one opening with `"`, JSON's commonest byte).
 */
function idMark(line: Line): number {
  const { data, from, to } = line;
  for (let at = data.indexOf(ID_OPEN, from); at !== -1 && at < to; at = data.indexOf(ID_OPEN, at + 1)) {
    const mark = at - MESSAGE_KEY.length;
    if (mark >= from && data.compare(MESSAGE_KEY, 0, MESSAGE_KEY.length, mark, at) === 0) return mark;
  }
  return -1;
}

/** The response key read off the line's bytes when the message id leads the message (it does in Claude Code's lines). */
function quickKey(line: Line, at: number): string | undefined {
  if (at < 0) return undefined;
  const from = at + ID_MARK.length;
  const end = line.data.indexOf(QUOTE, from);
  return end < 0 || end >= line.to ? undefined : `claude:${line.data.toString('utf8', from, end)}`;
}
/** Where `"message":{` opens its object in the line holding ID_MARK at `at`. */
const MESSAGE_OPEN = '"message":'.length;

export async function parseClaude(path: string, from: Cursor, ctx: ParseContext): Promise<FileParse> {
  const byKey = new Map<string, Call>();
  let skipped = 0;
  let offset = from.offset;
  const fileSession = basename(path, '.jsonl');
  const branchItems = new Map<string, string[]>();
  // The lines of one response follow each other and the last one counts: only that one is parsed (or even made a string).
  let pending: { key: string; line: Line; at: number } | undefined;
  const marks = new ByteScanner(['"message":', THINKING_MARK]);
  // Per session, the thinking level its last prompt set (read in this pass of the file).
  const efforts = new Map<string, string | undefined>();

  const reader = new ResponseReader();
  // `at`: where ID_MARK is in the line (-1: nowhere); the message's content is not parsed (response-line.ts):
  // the fields read off the bytes, or (a line the reader does not expect) JSON.parse of the line without it.
  const assistant = (line: Line, at: number) => {
    const start = line.start;
    const o = reader.read(line) ?? parseWithoutContent(line, at < 0 ? -1 : at + MESSAGE_OPEN);
    const msg = o?.message;
    if (o?.type !== 'assistant' || !msg?.usage) return;
    if (msg.model === '<synthetic>' || o.isApiErrorMessage || !str(msg.model)) {
      skipped++;
      return;
    }
    const session = str(o.sessionId) ?? fileSession;
    const key = `claude:${str(msg.id) ?? str(o.requestId) ?? o.uuid ?? `${path}:${start}`}`;
    const previous = byKey.get(key);
    const u = msg.usage;
    const written = count(u.cache_creation_input_tokens);
    const split = u.cache_creation;
    const w1h = split ? count(split.ephemeral_1h_input_tokens) : 0;
    // Without the 5m/1h breakdown (older versions) every write is a 5-minute write.
    const w5m = split ? count(split.ephemeral_5m_input_tokens) : written;
    const branch = str(o.gitBranch);
    let items = branchItems.get(branch ?? '');
    if (!items) branchItems.set(branch ?? '', (items = ctx.matcher.find(branch)));
    byKey.delete(key); // re-insert so the map stays ordered by each response's last line
    byKey.set(key, {
      key,
      tool: 'claude-code',
      provider: 'anthropic',
      model: msg.model,
      occurredAt: previous?.occurredAt ?? o.timestamp,
      usage: {
        input_tokens: count(u.input_tokens),
        output_tokens: count(u.output_tokens),
        cache_read_tokens: count(u.cache_read_input_tokens),
        cache_write_5m_tokens: w5m,
        cache_write_1h_tokens: w1h,
        reasoning_tokens: 0,
        convention: 'anthropic',
      },
      effort: efforts.get(session),
      sessionId: session,
      cwd: str(o.cwd),
      branch,
      subagent: o.isSidechain === true || str(o.agentId) !== undefined,
      agentId: str(o.agentId),
      workItems: ctx.sessions.current(session, items),
      offset: previous?.offset ?? start,
    });
  };
  const settle = () => {
    if (pending) assistant(pending.line, pending.at);
    pending = undefined;
  };

  for await (const batch of readLines(path, from.offset, ctx.onBytes, relevantLines())) {
    offset = batch.end;
    for (const line of batch.lines) {
      if (line.kind === WITH_USAGE) {
        const at = idMark(line);
        const key = quickKey(line, at);
        if (key && pending?.key === key) {
          pending.line = line; // a later line of the same response
          pending.at = at;
          continue;
        }
        settle();
        if (key) pending = { key, line, at };
        else assistant(line, at);
        continue;
      }
      // Prompts may reference work items and set the thinking level; tool results are not the user's words.
      // (The branch name is matched on each call: the test looks at the message only.) The bytes say whether
      // it is worth a string: a prompt without a message, thinking or anything the pattern may match is not.
      const messageAt = marks.position(MESSAGE, line.data, line.from, line.to);
      if (messageAt < 0) continue;
      const thinking = marks.within(THINKING, line.data, line.from, line.to); // rare: never searched past the line
      if (!thinking && !ctx.matcher.mayMatchBytes(line.data, messageAt, line.to)) continue;
      const text = line.text;
      const message = text.indexOf('"message":');
      if (message < 0 || !(thinking || ctx.matcher.mayMatch(text, message))) continue;
      const o = parseLine(text);
      if (o?.type !== 'user' || o.isMeta) continue;
      settle(); // the response before this prompt is attributed to the items referenced (and the thinking set) before it
      const session = str(o.sessionId) ?? fileSession;
      if (thinking) efforts.set(session, thinkingEffort(o.thinkingMetadata));
      ctx.sessions.add(session, ctx.matcher.find(contentText(o.message?.content)));
    }
    if (pending) { // its line outlives the batch's buffer (lines.ts reuses it)
      if (pending.at >= 0) pending.at -= pending.line.from;
      pending.line = pending.line.detach();
    }
  }
  settle();
  return { calls: [...byKey.values()], cursor: { offset }, skipped, settles: true };
}
