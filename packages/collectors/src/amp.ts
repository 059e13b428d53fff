// Amp (ampcode.com) threads: $AMP_DATA_DIR or ~/.local/share/amp, then threads/T-<uuid>.json, one JSON
// document per thread, rewritten as it grows. Amp is closed source and does not document the file; this
// follows the public reader in ccusage (ryoppippi/ccusage, apps/amp/src/data-loader.ts): each entry of
// `usageLedger.events` is one charged operation {id, timestamp, model, credits, tokens {input, output},
// fromMessageId, toMessageId}; the assistant message it ends at (`messages[].messageId` = toMessageId)
// has the cache counts in `usage` {cacheCreationInputTokens, cacheReadInputTokens}. Input excludes
// cache reads and writes (Anthropic's convention, the models Amp mostly runs); cache writes count as
// 5-minute ones.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Call, count } from './call.ts';
import { type Cursor, type FileParse, type ParseContext, contentText, str } from './parse-context.ts';

/** The provider of an Amp model name (Amp routes to several). */
function providerOf(model: string): string {
  if (/^claude/i.test(model)) return 'anthropic';
  if (/^(gpt|o\d)/i.test(model)) return 'openai';
  if (/^gemini/i.test(model)) return 'google';
  return 'amp';
}

function cwdOf(thread: any): string | undefined {
  const uri = str(thread.env?.initial?.trees?.[0]?.uri);
  if (!uri?.startsWith('file://')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export async function parseAmp(path: string, _from: Cursor, ctx: ParseContext): Promise<FileParse> {
  const text = await readFile(path, 'utf8');
  ctx.onBytes?.(Buffer.byteLength(text));
  const thread = JSON.parse(text);
  const session = str(thread.id) ?? path;
  const messages: any[] = Array.isArray(thread.messages) ? thread.messages : [];
  const byId = new Map(messages.map((m) => [m?.messageId, m]));
  const calls: Call[] = [];
  let prompts = 0;
  for (const e of Array.isArray(thread.usageLedger?.events) ? thread.usageLedger.events : []) {
    if (!str(e?.id) || !str(e.timestamp) || !e.tokens) continue;
    // Work items named by the user up to this operation's last message.
    for (; prompts < messages.length && (messages[prompts]?.messageId ?? Infinity) <= (e.toMessageId ?? -1); prompts++) {
      const m = messages[prompts];
      if (m?.role === 'user') ctx.sessions.add(session, ctx.matcher.find(contentText(m.content)));
    }
    const u = byId.get(e.toMessageId)?.usage ?? {};
    const model = str(e.model) ?? str(u.model) ?? 'unknown';
    calls.push({
      key: `amp:${e.id}`,
      tool: 'amp',
      provider: providerOf(model),
      model,
      occurredAt: e.timestamp,
      usage: {
        input_tokens: count(e.tokens.input), output_tokens: count(e.tokens.output), cache_read_tokens: count(u.cacheReadInputTokens),
        cache_write_5m_tokens: count(u.cacheCreationInputTokens), cache_write_1h_tokens: 0, reasoning_tokens: 0, convention: 'disjoint',
      },
      sessionId: session,
      cwd: cwdOf(thread),
      subagent: false,
      workItems: ctx.sessions.current(session, []),
      offset: 0,
    });
  }
  return { calls, cursor: { offset: 0 }, skipped: 0, settles: false };
}
