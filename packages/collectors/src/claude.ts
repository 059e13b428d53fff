// Claude Code transcripts: ~/.claude/projects/<encoded cwd>/<session>.jsonl (and subagent files).
// One API response is written as several lines (content blocks, streaming partials): the key is
// the response's message id (the request id is missing behind some gateways) and the last line wins,
// since early partials carry low output_tokens. `<synthetic>` and API-error lines are not billable.
import { basename } from 'node:path';
import { type Call, count } from './call.ts';
import { parseLine, readLines } from './lines.ts';
import { type Cursor, type FileParse, type ParseContext, contentText, str } from './parse-context.ts';

export async function parseClaude(path: string, from: Cursor, ctx: ParseContext): Promise<FileParse> {
  const byKey = new Map<string, Call>();
  let skipped = 0;
  let offset = from.offset;
  const fileSession = basename(path, '.jsonl');
  for await (const lines of readLines(path, from.offset, ctx.onBytes)) {
    for (const { text, start, end } of lines) {
      offset = end;
      const hasUsage = text.includes('"usage"');
      const mayReference = !hasUsage && text.includes('"type":"user"') && ctx.matcher.mayMatch(text);
      if (!hasUsage && !mayReference) continue;
      const o = parseLine(text);
      if (!o) continue;
      const session = str(o.sessionId) ?? fileSession;
      if (o.type === 'user') {
        if (!o.isMeta) ctx.sessions.add(session, ctx.matcher.find(contentText(o.message?.content)));
        continue;
      }
      const msg = o.message;
      if (o.type !== 'assistant' || !msg?.usage) continue;
      if (msg.model === '<synthetic>' || o.isApiErrorMessage || !str(msg.model)) {
        skipped++;
        continue;
      }
      const key = `claude:${str(msg.id) ?? str(o.requestId) ?? o.uuid ?? `${path}:${start}`}`;
      const previous = byKey.get(key);
      const u = msg.usage;
      const written = count(u.cache_creation_input_tokens);
      const split = u.cache_creation;
      const w1h = split ? count(split.ephemeral_1h_input_tokens) : 0;
      // Without the 5m/1h breakdown (older versions) every write is a 5-minute write.
      const w5m = split ? count(split.ephemeral_5m_input_tokens) : written;
      const branch = str(o.gitBranch);
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
        sessionId: session,
        cwd: str(o.cwd),
        branch,
        subagent: o.isSidechain === true || str(o.agentId) !== undefined,
        agentId: str(o.agentId),
        workItems: ctx.sessions.current(session, ctx.matcher.find(branch)),
        offset: previous?.offset ?? start,
      });
    }
  }
  return { calls: [...byKey.values()], cursor: { offset }, skipped, settles: true };
}
