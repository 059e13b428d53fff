// Which parser reads each agent's log files (shared by the in-process pass and the scan workers).
import { parseAmp } from './amp.ts';
import { parseClaude } from './claude.ts';
import { parseCodex } from './codex.ts';
import type { LogFile } from './discover.ts';
import { parseGemini } from './gemini.ts';
import { parseOpenCodeDb, parseOpenCodeMessage } from './opencode.ts';
import type { Parser } from './parse-context.ts';
import { parseQwen } from './qwen.ts';

export const PARSERS: Record<LogFile['tool'], Parser> = {
  'claude-code': parseClaude,
  codex: parseCodex,
  'gemini-cli': parseGemini,
  opencode: (path, from, ctx) => (path.endsWith('.db') ? parseOpenCodeDb : parseOpenCodeMessage)(path, from, ctx),
  amp: parseAmp,
  'qwen-code': parseQwen,
};
