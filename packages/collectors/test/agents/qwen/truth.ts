// Independent truth for the Qwen Code fixture (run: node truth.ts > truth.json). Written from the rules
// of the README here, not from the collector: every complete line of every projects/*/chats/**/*.jsonl;
// each `assistant` record with `usageMetadata` is a call, once per uuid; the copy that is not a /branch
// copy (no `forkedFrom`) names the session, else the session the copy was forked from.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Truth, sorted, tally } from '../rows.ts';

function completeLines(path: string): any[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop(); // after the last newline: empty, or a record still being written
  return lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

/** Disjoint partitions of one usageMetadata. */
function tokens(u: any) {
  const n = (k: string) => (typeof u[k] === 'number' ? u[k] : 0);
  const [prompt, out, cached, thoughts, tool, total] =
    ['promptTokenCount', 'candidatesTokenCount', 'cachedContentTokenCount', 'thoughtsTokenCount', 'toolUsePromptTokenCount', 'totalTokenCount'].map(n) as [number, number, number, number, number, number];
  // OpenAI-compatible APIs: total = prompt + completion, reasoning inside the completion.
  const reasoningInOutput = total === prompt + out + tool;
  return { input: prompt - cached + tool, output: reasoningInOutput ? out - thoughts : out, cache_read: cached, cache_write: 0, reasoning: thoughts };
}

export function qwenTruth(root: string): Truth {
  const calls = new Map<string, { record: any; session: string; original: boolean }>();
  const base = join(root, 'projects');
  const files = readdirSync(base, { recursive: true, encoding: 'utf8' }).filter((rel) => /^[^/]+\/chats\/.+\.jsonl$/.test(rel)).sort();
  for (const rel of files) {
    for (const r of completeLines(join(base, rel))) {
      if (r.type !== 'assistant' || !r.usageMetadata) continue;
      const original = r.forkedFrom === undefined;
      const known = calls.get(r.uuid);
      if (known && (known.original || !original)) continue;
      calls.set(r.uuid, { record: r, session: original ? r.sessionId : r.forkedFrom.sessionId, original });
    }
  }
  const truth: Truth = { days: {}, sessions: {} };
  for (const { record, session } of calls.values()) {
    tally(truth, { day: new Date(record.timestamp).toISOString().slice(0, 10), model: record.model, session, ...tokens(record.usageMetadata) });
  }
  return sorted(truth);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(qwenTruth(join(dirname(fileURLToPath(import.meta.url)), 'home')), null, 2)}\n`);
}
