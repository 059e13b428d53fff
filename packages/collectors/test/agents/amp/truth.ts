// Independent truth for the Amp fixture (run: node truth.ts > truth.json), from the rules of the
// README here: every usageLedger event of every thread file is one call, on its timestamp's UTC day,
// with the cache counts of the assistant message it ends at.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Truth, sorted, tally } from '../rows.ts';

export function ampTruth(root: string): Truth {
  const truth: Truth = { days: {}, sessions: {} };
  const dir = join(root, 'threads');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const t = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    for (const e of t.usageLedger?.events ?? []) {
      const usage = (t.messages ?? []).find((m: any) => m.messageId === e.toMessageId)?.usage ?? {};
      tally(truth, {
        day: e.timestamp.slice(0, 10), model: e.model, session: t.id, input: e.tokens.input ?? 0, output: e.tokens.output ?? 0,
        cache_read: usage.cacheReadInputTokens ?? 0, cache_write: usage.cacheCreationInputTokens ?? 0, reasoning: 0,
      });
    }
  }
  return sorted(truth);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(ampTruth(join(dirname(fileURLToPath(import.meta.url)), 'home')), null, 2)}\n`);
}
