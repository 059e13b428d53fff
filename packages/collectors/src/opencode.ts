// OpenCode (anomalyco/opencode, formerly sst/opencode). Its data folder ($XDG_DATA_HOME/opencode or
// ~/.local/share/opencode) holds either or both of:
//   opencode.db (opencode-<channel>.db)  SQLite: tables session, message, part (each row's `data` is JSON)
//   storage/message/<sessionID>/<messageID>.json, storage/part/<messageID>/<partID>.json,
//   storage/session/<projectID>/<sessionID>.json    the JSON files of builds before SQLite; the move to
//                                                    SQLite copies them and leaves them in place
// A model request ends in a `step-finish` part with that request's tokens (the message's own `tokens`
// are only its last step's), so a call is a step-finish part id, wherever it is stored. Tokens are
// disjoint (input without cache reads or writes, output without reasoning); OpenCode records no
// cache-write TTL, so writes count as 5-minute ones (Anthropic's default). A subagent (task tool) runs
// in a child session: its calls go to the root session, flagged as a subagent's.
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Call, count } from './call.ts';
import { type Cursor, type FileParse, type ParseContext, str } from './parse-context.ts';

interface Session { parent?: string | undefined; directory?: string | undefined }
type Sessions = Map<string, Session>;

/** A step-finish part with its message, or a user's text (for work items), in time order. */
interface Row { kind: 'call' | 'text'; id: string; session: string; messageId: string; part: any; message: any }

function rootOf(sessions: Sessions, id: string): string {
  let at = id;
  for (let hops = 0; hops < 100; hops++) {
    const parent = sessions.get(at)?.parent;
    if (!parent) return at;
    at = parent;
  }
  return at;
}

function apply(rows: Row[], sessions: Sessions, ctx: ParseContext): Call[] {
  const calls: Call[] = [];
  for (const r of rows) {
    const root = rootOf(sessions, r.session);
    if (r.kind === 'text') {
      if (typeof r.part.text === 'string' && !r.part.synthetic) ctx.sessions.add(root, ctx.matcher.find(r.part.text));
      continue;
    }
    const t = r.part.tokens;
    const m = r.message;
    if (!t || typeof t !== 'object' || m?.role !== 'assistant') continue;
    const usage = {
      input_tokens: count(t.input), output_tokens: count(t.output), cache_read_tokens: count(t.cache?.read),
      cache_write_5m_tokens: count(t.cache?.write), cache_write_1h_tokens: 0, reasoning_tokens: count(t.reasoning), convention: 'disjoint' as const,
    };
    const created = typeof m.time?.created === 'number' ? new Date(m.time.created).toISOString() : undefined;
    if (!created) continue;
    calls.push({
      key: `opencode:${r.id}`,
      tool: 'opencode',
      provider: str(m.providerID) ?? 'unknown',
      model: str(m.modelID) ?? 'unknown',
      occurredAt: created,
      usage,
      sessionId: root,
      cwd: str(m.path?.root) ?? str(m.path?.cwd) ?? sessions.get(r.session)?.directory,
      subagent: root !== r.session,
      agentId: root !== r.session ? r.session : undefined,
      workItems: ctx.sessions.current(root, []),
      offset: 0,
    });
  }
  return calls;
}

// ---- SQLite --------------------------------------------------------------------------------

// Parts are inserted once and updated in place (their rowid stays), so the rowid is a cursor that
// reads only what is new; a step-finish part is complete when inserted.
const ROWS = `
  SELECT p.rowid AS rowid, p.id AS id, p.session_id AS session, p.message_id AS messageId, p.data AS part, m.data AS message,
         json_extract(p.data, '$.type') AS type
  FROM part p JOIN message m ON m.id = p.message_id
  WHERE p.rowid > ? AND (json_extract(p.data, '$.type') = 'step-finish'
     OR (json_extract(p.data, '$.type') = 'text' AND json_extract(m.data, '$.role') = 'user'))
  ORDER BY p.rowid`;

/** The database's step-finish parts (and users' texts) added since the cursor. */
export async function parseOpenCodeDb(path: string, from: Cursor, ctx: ParseContext): Promise<FileParse> {
  // Loaded on use: node:sqlite needs a flag before Node 22.13, and only OpenCode's database needs it.
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const max = Number((db.prepare('SELECT coalesce(max(rowid), 0) AS max FROM part').get() as any).max);
    const after = typeof from.carry?.rowid === 'number' ? from.carry.rowid : 0;
    // Fewer rows than the cursor: the latest parts were deleted and rowids may be reused; start over
    // (calls already sent are skipped by key).
    const since = after > max ? 0 : after;
    const sessions: Sessions = new Map();
    for (const s of db.prepare('SELECT id, parent_id AS parent, directory FROM session').all() as any[]) {
      sessions.set(s.id, { parent: s.parent ?? undefined, directory: s.directory ?? undefined });
    }
    const rows: Row[] = [];
    for (const r of db.prepare(ROWS).iterate(since) as Iterable<any>) {
      rows.push({ kind: r.type === 'text' ? 'text' : 'call', id: r.id, session: r.session, messageId: r.messageId, part: JSON.parse(r.part), message: JSON.parse(r.message) });
    }
    return { calls: apply(rows, sessions, ctx), cursor: { offset: 0, carry: { rowid: max } }, skipped: 0, settles: false };
  } finally {
    db.close();
  }
}

// ---- JSON storage (builds before SQLite) ------------------------------------------------------

const sessionIndexes = new WeakMap<ParseContext, Map<string, Promise<Sessions>>>();

/** Every session of a storage folder (storage/session/<projectID>/<sessionID>.json), read once per run. */
function storageSessions(storage: string, ctx: ParseContext): Promise<Sessions> {
  let byStorage = sessionIndexes.get(ctx);
  if (!byStorage) sessionIndexes.set(ctx, (byStorage = new Map()));
  let index = byStorage.get(storage);
  if (!index) {
    index = (async () => {
      const sessions: Sessions = new Map();
      const files = await readdir(join(storage, 'session'), { recursive: true }).catch(() => [] as string[]);
      for (const rel of files.filter((f) => f.endsWith('.json'))) {
        const s = await readJson(join(storage, 'session', rel));
        if (s) sessions.set(str(s.id) ?? basename(rel, '.json'), { parent: str(s.parentID), directory: str(s.directory) });
      }
      return sessions;
    })();
    byStorage.set(storage, index);
  }
  return index;
}

async function readJson(path: string): Promise<any> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined; // a file being rewritten or removed: it is read again when it changes
  }
}

/**
 * One message file (storage/message/<sessionID>/<messageID>.json) and its parts. OpenCode rewrites
 * the message at every step's end, after writing the step's part, so a changed message file means new parts.
 */
export async function parseOpenCodeMessage(path: string, _from: Cursor, ctx: ParseContext): Promise<FileParse> {
  const storage = dirname(dirname(dirname(path)));
  const session = basename(dirname(path));
  const messageId = basename(path, '.json');
  const done = (calls: Call[]): FileParse => ({ calls, cursor: { offset: 0 }, skipped: 0, settles: false });
  const message = await readJson(path);
  if (!message) return done([]);
  const partDir = join(storage, 'part', messageId);
  const names = (await readdir(partDir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const rows: Row[] = [];
  for (const name of names) {
    const part = await readJson(join(partDir, name));
    if (!part) continue;
    const kind = part.type === 'step-finish' ? 'call' : part.type === 'text' && message.role === 'user' ? 'text' : undefined;
    if (kind) rows.push({ kind, id: str(part.id) ?? basename(name, '.json'), session, messageId, part, message });
  }
  return done(apply(rows, await storageSessions(storage, ctx), ctx));
}
