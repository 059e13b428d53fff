// Independent truth for the OpenCode fixture (run: node truth.ts > truth.json). Written from the rules
// of the README here, not from the collector: every part in the database and in storage/part, each
// step-finish part id one call, its message's model and creation day, credited to the root of its
// session's parent chain.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { type Truth, sorted, tally } from '../rows.ts';

const jsonFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')) : []);
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

export function openCodeTruth(root: string): Truth {
  const parents = new Map<string, string | null>();
  const messages = new Map<string, any>();
  const steps = new Map<string, { session: string; message: string; tokens: any }>();
  const db = join(root, 'opencode.db');
  if (existsSync(db)) {
    const d = new DatabaseSync(db, { readOnly: true });
    for (const s of d.prepare('SELECT id, parent_id FROM session').all() as any[]) parents.set(s.id, s.parent_id);
    for (const m of d.prepare('SELECT id, data FROM message').all() as any[]) messages.set(m.id, JSON.parse(m.data));
    for (const p of d.prepare('SELECT id, session_id, message_id, data FROM part').all() as any[]) {
      const data = JSON.parse(p.data);
      if (data.type === 'step-finish') steps.set(p.id, { session: p.session_id, message: p.message_id, tokens: data.tokens });
    }
    d.close();
  }
  const storage = join(root, 'storage');
  for (const f of jsonFiles(join(storage, 'session'))) { const s = read(join(storage, 'session', f)); parents.set(s.id, s.parentID ?? null); }
  for (const f of jsonFiles(join(storage, 'message'))) { const m = read(join(storage, 'message', f)); messages.set(m.id, m); }
  for (const f of jsonFiles(join(storage, 'part'))) {
    const p = read(join(storage, 'part', f));
    if (p.type === 'step-finish') steps.set(p.id, { session: p.sessionID, message: p.messageID, tokens: p.tokens });
  }
  const rootOf = (id: string): string => { const parent = parents.get(id); return parent ? rootOf(parent) : id; };
  const truth: Truth = { days: {}, sessions: {} };
  for (const s of steps.values()) {
    const m = messages.get(s.message);
    const t = s.tokens;
    tally(truth, {
      day: new Date(m.time.created).toISOString().slice(0, 10), model: m.modelID, session: rootOf(s.session),
      input: t.input, output: t.output, cache_read: t.cache.read, cache_write: t.cache.write, reasoning: t.reasoning,
    });
  }
  return sorted(truth);
}

/** The fixture keeps the database as SQL (reviewable); this builds opencode.db next to it. */
export function buildDatabase(root: string) {
  const d = new DatabaseSync(join(root, 'opencode.db'));
  d.exec(readFileSync(join(root, 'opencode.sql'), 'utf8'));
  d.close();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const home = join(dirname(fileURLToPath(import.meta.url)), 'home');
  const { mkdtempSync, cpSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const copy = mkdtempSync(join(tmpdir(), 'sg-opencode-truth-'));
  cpSync(home, copy, { recursive: true });
  buildDatabase(copy);
  process.stdout.write(`${JSON.stringify(openCodeTruth(copy), null, 2)}\n`);
}
