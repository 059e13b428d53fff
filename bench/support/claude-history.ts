// A generated Claude Code history for bench:capture: projects of session files whose lines look
// like real transcripts (prompts, tool results, each response written as two content-block lines
// with the same message id, request id and usage). Every value derives from counters, so a rerun
// reproduces the same files; the files are reused when the requested size has not changed.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'];
const FILLER = Array.from({ length: 400 }, (_, i) => `line ${i}: const value${i} = compute(${i}); // refactor step`).join('\\n');
const SESSION_BYTES = 4 * 1024 * 1024;
const START = Date.parse('2026-09-01T00:00:00Z');
/** Bumped when the generator changes, so old files are not reused. */
const VERSION = 3;

export interface History {
  root: string;
  bytes: number;
  files: number;
}

export function generateClaudeHistory(root: string, megabytes: number): History {
  const marker = join(root, 'complete.json');
  if (existsSync(marker)) {
    const done = JSON.parse(readFileSync(marker, 'utf8')) as History & { megabytes: number; version: number };
    if (done.megabytes === megabytes && done.version === VERSION) return done;
  }
  rmSync(root, { recursive: true, force: true });
  let bytes = 0;
  let files = 0;
  let k = 0;
  while (bytes < megabytes * 1024 * 1024) {
    const project = `-home-dev-repo-${files % 24}`;
    const session = `${(files * 2654435761 >>> 0).toString(16).padStart(8, '0')}-1111-4222-8333-${String(files).padStart(12, '0')}`;
    const dir = join(root, 'projects', project);
    mkdirSync(dir, { recursive: true });
    const lines: string[] = [];
    let size = 0;
    while (size < SESSION_BYTES) {
      k++;
      const ts = new Date(START + k * 9_000).toISOString();
      const base = { sessionId: session, cwd: `/srv/repo-${files % 24}`, gitBranch: `feature/WRK-${files % 300}`, version: '2.0.31', userType: 'external', isSidechain: k % 11 === 0 };
      const prompt = { ...base, type: 'user', uuid: `u-${k}`, timestamp: ts, message: { role: 'user', content: `${lines.length === 0 || k % 10 === 0 ? `Please continue with WRK-${files % 300}${k % 40 === 0 ? ` and WRK-${(files + 1) % 300}` : ''}. ` : 'Next step. '}${FILLER.slice(0, 600 + (k % 900))}` } };
      const tool = { ...base, type: 'user', uuid: `t-${k}`, timestamp: ts, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${k}`, content: FILLER.slice(0, 2000 + (k % 3000)) }] } };
      const creation = (k * 13) % 3000;
      const oneHour = k % 3 === 0 ? Math.floor(creation / 2) : 0;
      const synthetic = k % 500 === 0;
      const usage = synthetic
        ? { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
        : { input_tokens: 1 + (k % 50), output_tokens: 10 + (k % 900), cache_creation_input_tokens: creation, cache_read_input_tokens: (k * 37) % 50_000,
            cache_creation: { ephemeral_5m_input_tokens: creation - oneHour, ephemeral_1h_input_tokens: oneHour }, service_tier: 'standard' };
      const message = (content: unknown) => ({ id: `msg_${k}`, type: 'message', role: 'assistant', model: synthetic ? '<synthetic>' : MODELS[k % 3], content, stop_reason: null, usage });
      const a1 = { ...base, type: 'assistant', uuid: `a-${k}`, parentUuid: `u-${k}`, requestId: `req_${k}`, timestamp: ts, message: message([{ type: 'thinking', thinking: FILLER.slice(0, 300) }]) };
      const a2 = { ...base, type: 'assistant', uuid: `b-${k}`, parentUuid: `a-${k}`, requestId: `req_${k}`, timestamp: ts, message: message([{ type: 'text', text: FILLER.slice(0, 500 + (k % 700)) }]) };
      for (const o of [prompt, a1, a2, tool]) {
        const line = JSON.stringify(o);
        lines.push(line);
        size += line.length + 1;
      }
    }
    writeFileSync(join(dir, `${session}.jsonl`), lines.join('\n') + '\n');
    bytes += size;
    files++;
  }
  const history = { root, bytes, files };
  writeFileSync(marker, JSON.stringify({ ...history, megabytes, version: VERSION }));
  return history;
}
