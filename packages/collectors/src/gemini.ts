// Gemini CLI chats: ~/.gemini/tmp/<project_hash>/chats/session-<time>-<id8>.jsonl (older builds:
// one .json per session, rewritten as it grows). A message can be logged again as it is updated:
// the last record per message id wins. `$rewindTo` removes messages from the conversation but
// their tokens were spent, so it changes nothing here. Subagent chats live in chats/<parentSessionId>/.
// Counts are in Google's convention (input includes cached content, thoughts separate); tool-use
// prompt tokens are prompt tokens.
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { type Call, count } from './call.ts';
import { jsonLines } from './lines.ts';
import { type Cursor, type FileParse, type ParseContext, contentText, str } from './parse-context.ts';

interface Carry { sessionId?: string; projectHash?: string; model?: string }

function parentSession(path: string): string | undefined {
  const dir = dirname(path);
  return basename(dir) === 'chats' ? undefined : basename(dir);
}

function record(m: any, carry: Carry, path: string, offset: number, ctx: ParseContext, byKey: Map<string, Call>) {
  const session = parentSession(path) ?? carry.sessionId ?? basename(path);
  if (m.type === 'user') {
    ctx.sessions.add(session, ctx.matcher.find(typeof m.content === 'string' ? m.content : contentText(m.content)));
    return;
  }
  carry.model = str(m.model) ?? carry.model;
  const t = m.tokens;
  if (m.type !== 'gemini' || !t || !str(m.id)) return;
  const key = `gemini:${carry.sessionId}:${m.id}`;
  const previous = byKey.get(key);
  const cached = count(t.cached);
  byKey.delete(key);
  byKey.set(key, {
    key,
    tool: 'gemini-cli',
    provider: 'google',
    model: str(m.model) ?? carry.model ?? 'unknown',
    occurredAt: previous?.occurredAt ?? m.timestamp,
    usage: {
      input_tokens: Math.max(count(t.input), cached) + count(t.tool),
      output_tokens: count(t.output),
      cache_read_tokens: cached,
      cache_write_5m_tokens: 0,
      cache_write_1h_tokens: 0,
      reasoning_tokens: count(t.thoughts),
      convention: 'google',
    },
    sessionId: session,
    subagent: parentSession(path) !== undefined,
    agentId: parentSession(path) ? carry.sessionId : undefined,
    workItems: ctx.sessions.current(session, []),
    offset: previous?.offset ?? offset,
  });
}

function header(o: any, carry: Carry) {
  carry.sessionId = str(o.sessionId) ?? carry.sessionId;
  carry.projectHash = str(o.projectHash) ?? carry.projectHash;
}

export async function parseGemini(path: string, from: Cursor, ctx: ParseContext): Promise<FileParse> {
  const carry: Carry = { ...(from.carry as Carry | undefined) };
  const byKey = new Map<string, Call>();
  if (path.endsWith('.json')) {
    // Older builds rewrite one JSON document: read it whole each time it changes (sent calls are skipped by key).
    const text = await readFile(path, 'utf8');
    ctx.onBytes?.(Buffer.byteLength(text));
    const doc = JSON.parse(text);
    header(doc, carry);
    for (const m of Array.isArray(doc.messages) ? doc.messages : []) record(m, carry, path, 0, ctx, byKey);
    return { calls: [...byKey.values()], cursor: { offset: 0, carry: carry as Record<string, unknown> }, skipped: 0, settles: false };
  }
  const read = { offset: from.offset };
  for await (const { o, start } of jsonLines(path, read, ctx.onBytes)) {
    if (!o || typeof o !== 'object') continue;
    if (o.$set) header(o.$set, carry);
    else if (o.$rewindTo !== undefined) continue;
    else if (o.type === undefined) header(o, carry);
    else record(o, carry, path, start, ctx, byKey);
  }
  return { calls: [...byKey.values()], cursor: { offset: read.offset, carry: carry as Record<string, unknown> }, skipped: 0, settles: true };
}
