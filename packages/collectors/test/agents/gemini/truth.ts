// Independent truth for the Gemini CLI fixture (run: node truth.ts > truth.json). Written from the
// rules of the README here, not from the collector: every file under tmp/*/chats, whole; each
// message id with tokens is one call; among the files holding it, the one whose session started
// first is credited (a subagent file's calls go to its parent folder's session).
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Truth, sorted, tally } from '../rows.ts';

interface Seen { session: string; start: string; model: string; day: string; tokens: any }

function records(path: string): any[] {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.json')) return [JSON.parse(text)];
  // A last line without a newline is still being written: not a record yet.
  return text.split('\n').slice(0, -1).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
}

function messagesOf(r: any): any[] {
  if (Array.isArray(r.messages)) return r.messages;
  if (Array.isArray(r.$set?.messages)) return r.$set.messages;
  return typeof r.id === 'string' ? [r] : [];
}

export function geminiTruth(root: string): Truth {
  const best = new Map<string, Seen>();
  const files = readdirSync(join(root, 'tmp'), { recursive: true, encoding: 'utf8' })
    .filter((rel) => /^[^/]+\/chats\/(session-[^/]+\.jsonl?|[^/]+\/[^/]+\.jsonl)$/.test(rel));
  for (const rel of files) {
    const path = join(root, 'tmp', rel);
    const all = records(path);
    const head = all.find((r) => typeof r.sessionId === 'string');
    const inSubfolder = basename(dirname(path)) !== 'chats';
    const session = inSubfolder ? basename(dirname(path)) : head.sessionId;
    let model = 'unknown';
    for (const r of all) {
      for (const m of messagesOf(r)) {
        if (m.model) model = m.model;
        if (m.type !== 'gemini' || !m.tokens) continue;
        const prior = best.get(m.id);
        if (prior && prior.start <= head.startTime) continue;
        best.set(m.id, { session, start: head.startTime, model: m.model ?? model, day: m.timestamp.slice(0, 10), tokens: m.tokens });
      }
    }
  }
  const truth: Truth = { days: {}, sessions: {} };
  for (const s of best.values()) {
    const t = s.tokens;
    const thoughts = t.thoughts ?? 0;
    const tool = t.tool ?? 0;
    tally(truth, { day: s.day, model: s.model, session: s.session, input: t.input + tool - t.cached, output: t.output, cache_read: t.cached, cache_write: 0, reasoning: thoughts });
  }
  return sorted(truth);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(geminiTruth(join(dirname(fileURLToPath(import.meta.url)), 'home')), null, 2)}\n`);
}
