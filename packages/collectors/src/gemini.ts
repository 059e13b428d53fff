// Gemini CLI chats (google-gemini/gemini-cli, ChatRecordingService):
//   ~/.gemini/tmp/<slug>/chats/session-<YYYY-MM-DDTHH-MM>-<id8>.jsonl   (slug folders since v0.29;
//   ~/.gemini/tmp/<project_hash>/chats/…                                  older hash folders, copied on migration)
//   chats/<parentSessionId>/<agentSessionId>.jsonl                        subagents
//   chats/session-….json                                                  before v0.39: one JSON document, rewritten
// Resuming a .json writes a .jsonl copy next to it; importing a session repeats its records verbatim
// under a new sessionId. So a call is its message id (a random UUID), whatever file holds it, and it is
// credited to the session that started first among those holding it (`origin`). A message changed later
// is appended again in full with the same tokens: the last record per id wins. `$rewindTo` removes
// messages from the conversation, but their tokens were spent, so it changes nothing here; `$set.messages`
// checkpoints repeat whole records. Counts are Google's (input includes cached, thoughts separate);
// tool-use prompt tokens are prompt tokens.
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { type Call, count } from './call.ts';
import { jsonLines } from './lines.ts';
import { type Cursor, type FileParse, type ParseContext, contentText, str } from './parse-context.ts';

interface Carry { sessionId?: string; startTime?: string; model?: string }

/** The parent session of a subagent file (chats/<parentSessionId>/<file>), else undefined. */
function parentSession(path: string): string | undefined {
  const dir = dirname(path);
  return basename(dir) === 'chats' ? undefined : basename(dir);
}

class GeminiFile {
  readonly byKey = new Map<string, Call>();
  readonly carry: Carry;
  private readonly path: string;
  private readonly parent: string | undefined;
  private readonly ctx: ParseContext;

  constructor(path: string, carry: Carry, ctx: ParseContext) {
    this.path = path;
    this.carry = carry;
    this.ctx = ctx;
    this.parent = parentSession(path);
  }

  header(o: any) {
    this.carry.sessionId = str(o.sessionId) ?? this.carry.sessionId;
    this.carry.startTime = str(o.startTime) ?? this.carry.startTime;
  }

  record(m: any, offset: number) {
    const session = this.parent ?? this.carry.sessionId ?? basename(this.path);
    if (m.type === 'user') {
      this.ctx.sessions.add(session, this.ctx.matcher.find(typeof m.content === 'string' ? m.content : contentText(m.content)));
      return;
    }
    this.carry.model = str(m.model) ?? this.carry.model;
    const t = m.tokens;
    if (m.type !== 'gemini' || !t || typeof t !== 'object' || !str(m.id)) return;
    const key = `gemini:${m.id}`;
    const previous = this.byKey.get(key);
    const cached = count(t.cached);
    this.byKey.delete(key); // re-inserted: calls stay in the order of their last record
    this.byKey.set(key, {
      key,
      tool: 'gemini-cli',
      provider: 'google',
      model: str(m.model) ?? this.carry.model ?? 'unknown',
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
      subagent: this.parent !== undefined,
      agentId: this.parent ? this.carry.sessionId : undefined,
      workItems: this.ctx.sessions.current(session, []),
      offset: previous?.offset ?? offset,
      origin: this.carry.startTime,
      // Before the key was the message id alone it included the file's session id.
      aliases: this.carry.sessionId ? [`gemini:${this.carry.sessionId}:${m.id}`] : undefined,
    });
  }

  /** One line of a .jsonl file (or the document of a .json one). */
  line(o: any, offset: number) {
    if (!o || typeof o !== 'object' || o.$rewindTo !== undefined) return;
    if (o.$set && typeof o.$set === 'object') {
      this.header(o.$set);
      if (Array.isArray(o.$set.messages)) for (const m of o.$set.messages) this.record(m, offset);
    } else if (typeof o.id === 'string') this.record(o, offset);
    else if (o.sessionId !== undefined) {
      this.header(o);
      if (Array.isArray(o.messages)) for (const m of o.messages) this.record(m, offset);
    }
  }
}

export async function parseGemini(path: string, from: Cursor, ctx: ParseContext): Promise<FileParse> {
  const file = new GeminiFile(path, { ...(from.carry as Carry | undefined) }, ctx);
  const done = (offset: number, settles: boolean): FileParse =>
    ({ calls: [...file.byKey.values()], cursor: { offset, carry: file.carry as Record<string, unknown> }, skipped: 0, settles });
  if (path.endsWith('.json')) {
    // Older builds rewrite one JSON document: read it whole each time it changes (sent calls are skipped by key).
    const text = await readFile(path, 'utf8');
    ctx.onBytes?.(Buffer.byteLength(text));
    file.line(JSON.parse(text), 0);
    return done(0, false);
  }
  const read = { offset: from.offset };
  for await (const { o, start } of jsonLines(path, read, ctx.onBytes)) file.line(o, start);
  return done(read.offset, true);
}
