// Qwen Code (QwenLM/qwen-code, a Gemini CLI fork with its own recorder, ChatRecordingService):
//   $QWEN_RUNTIME_DIR or ~/.qwen, then projects/<cwd with every non-alphanumeric character as '-'>/chats/<sessionId>.jsonl
// One JSON record per line, appended: {uuid, parentUuid, sessionId, timestamp, type: user | assistant |
// tool_result | system, cwd, gitBranch, ...}. A model response is one `assistant` record with `model` and
// `usageMetadata` (Google's names: promptTokenCount, candidatesTokenCount, cachedContentTokenCount,
// thoughtsTokenCount, toolUsePromptTokenCount, totalTokenCount); its `uuid` is the call. `/branch` copies a
// session's records verbatim (same uuid) into a new session, marking each copy `forkedFrom {sessionId}`: a
// copy is not a call again, and the call stays with the session it happened in. Subagent records carry
// `isSidechain` / `agentId`. `system` records of subtype `ui_telemetry` repeat the same responses' counts
// for Qwen Code's own statistics and are not read (reading both would count every call twice).
//
// Counts: the prompt includes cached tokens. Through an OpenAI-compatible API (Qwen Code's usual path) the
// candidates are the completion tokens, reasoning included, and the total is prompt + candidates; through
// Gemini's API thoughts are outside the candidates and inside the total. The total tells them apart.
import { type Call, count } from './call.ts';
import { jsonLines } from './lines.ts';
import { type Cursor, type FileParse, type ParseContext, contentText, str } from './parse-context.ts';

/** The provider of a model name Qwen Code ran (it does not record which API it called). */
export function qwenProvider(model: string): string {
  if (/^claude/i.test(model)) return 'anthropic';
  if (/^(gpt|o\d|codex)/i.test(model)) return 'openai';
  if (/^gemini/i.test(model)) return 'google';
  return 'qwen';
}

/** The record's usage in the convention its counts follow (see the header). */
export function qwenUsage(u: any): Call['usage'] {
  const prompt = count(u.promptTokenCount);
  const candidates = count(u.candidatesTokenCount);
  const thoughts = count(u.thoughtsTokenCount);
  const tool = count(u.toolUsePromptTokenCount);
  const total = count(u.totalTokenCount);
  // Thoughts inside the candidates (OpenAI's convention) when the total leaves no room for them, or
  // with no total, unless they could not fit in the candidates.
  const inside = total > 0 ? total === prompt + candidates + tool : thoughts <= candidates;
  const cached = count(u.cachedContentTokenCount);
  return {
    input_tokens: Math.max(prompt, cached) + tool,
    output_tokens: inside ? Math.max(candidates, thoughts) : candidates,
    cache_read_tokens: cached,
    cache_write_5m_tokens: 0,
    cache_write_1h_tokens: 0,
    reasoning_tokens: thoughts,
    convention: inside ? 'openai' : 'google',
  };
}

// A forked copy (or one whose flag is lost) must never displace the original among copies read in one
// run: the original's `origin` is its record's time, a fork's one millisecond later (copies keep the
// original's timestamp).
const originOf = (timestamp: string, forked: boolean) =>
  forked ? new Date(Date.parse(timestamp) + 1).toISOString() : timestamp;

function userText(r: any): string {
  return contentText(Array.isArray(r.message?.parts) ? r.message.parts : r.message?.content);
}

function call(r: any, offset: number, ctx: ParseContext): Call | undefined {
  const u = r.usageMetadata;
  if (!u || typeof u !== 'object' || !str(r.uuid) || !str(r.timestamp) || Number.isNaN(Date.parse(r.timestamp))) return undefined;
  const forked = str(r.forkedFrom?.sessionId);
  const session = forked ?? str(r.sessionId) ?? 'unknown';
  const model = str(r.model) ?? 'unknown';
  const subagent = r.isSidechain === true || str(r.agentId) !== undefined;
  return {
    key: `qwen:${r.uuid}`,
    tool: 'qwen-code',
    provider: qwenProvider(model),
    model,
    occurredAt: r.timestamp,
    usage: qwenUsage(u),
    sessionId: session,
    cwd: str(r.cwd),
    branch: str(r.gitBranch),
    subagent,
    agentId: subagent ? str(r.agentId) : undefined,
    workItems: ctx.sessions.current(session, ctx.matcher.find(str(r.gitBranch))),
    offset,
    origin: originOf(r.timestamp, forked !== undefined),
  };
}

export async function parseQwen(path: string, from: Cursor, ctx: ParseContext): Promise<FileParse> {
  const calls: Call[] = [];
  const read = { offset: from.offset };
  let skipped = 0;
  for await (const { o, text, start } of jsonLines(path, read, ctx.onBytes)) {
    if (!o || typeof o !== 'object') continue;
    if (o.type === 'user' && !o.subtype && !o.forkedFrom && ctx.matcher.mayMatch(text)) {
      ctx.sessions.add(str(o.sessionId) ?? path, ctx.matcher.find(userText(o)));
    } else if (o.type === 'assistant') {
      const c = call(o, start, ctx);
      if (c) calls.push(c);
      else skipped++;
    }
  }
  return { calls, cursor: { offset: read.offset }, skipped, settles: false };
}
