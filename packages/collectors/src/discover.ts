// Where each agent keeps its session logs (standard locations, overridable).
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentTool } from './call.ts';

/** Folders to search per agent; an agent left out is not searched. */
export type Roots = Partial<Record<AgentTool, string[]>>;

/**
 * Standard locations: CLAUDE_CONFIG_DIR (comma-separated) or ~/.config/claude and ~/.claude; CODEX_HOME or ~/.codex;
 * GEMINI_DIR or ~/.gemini; OpenCode's data folder, $XDG_DATA_HOME/opencode or ~/.local/share/opencode;
 * AMP_DATA_DIR or ~/.local/share/amp (Amp's own folder, not XDG-relative); QWEN_RUNTIME_DIR or ~/.qwen.
 */
export function defaultRoots(env: NodeJS.ProcessEnv = process.env, home = homedir()): Roots {
  const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    'claude-code': list(env.CLAUDE_CONFIG_DIR).length ? list(env.CLAUDE_CONFIG_DIR) : [join(home, '.config', 'claude'), join(home, '.claude')],
    codex: [env.CODEX_HOME || join(home, '.codex')],
    'gemini-cli': [env.GEMINI_DIR || join(home, '.gemini')],
    opencode: [join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'opencode')],
    amp: [env.AMP_DATA_DIR || join(home, '.local', 'share', 'amp')],
    'qwen-code': [env.QWEN_RUNTIME_DIR || join(home, '.qwen')],
  };
}

export interface LogFile {
  tool: AgentTool;
  path: string;
  size: number;
  mtimeMs: number;
}

/** Every agent the collector reads, in the order they are listed. */
export const AGENT_TOOLS: readonly AgentTool[] = ['claude-code', 'codex', 'gemini-cli', 'opencode', 'amp', 'qwen-code'];

/** Where each agent's files are under a root: folders (searched recursively unless `shallow`) and a test on the path below it. */
const LAYOUT: Record<AgentTool, Array<{ sub: string; shallow?: boolean; match: (rel: string) => boolean }>> = {
  'claude-code': [{ sub: 'projects', match: (rel) => rel.endsWith('.jsonl') }],
  codex: [{ sub: 'sessions', match: (rel) => /(^|\/)rollout-[^/]*\.jsonl$/.test(rel) }],
  // tmp/<slug or project hash>/chats/session-*.json(l), and subagents' chats/<parentSessionId>/<id>.jsonl
  'gemini-cli': [{ sub: 'tmp', match: (rel) => /^[^/]+\/chats\/(session-[^/]*\.jsonl?|[^/]+\/[^/]+\.jsonl)$/.test(rel) }],
  // opencode.db or opencode-<channel>.db; before SQLite, storage/message/<sessionID>/<messageID>.json
  opencode: [
    { sub: '.', shallow: true, match: (rel) => /^opencode(-[\w.-]+)?\.db$/.test(rel) },
    { sub: join('storage', 'message'), match: (rel) => /^[^/]+\/[^/]+\.json$/.test(rel) },
  ],
  amp: [{ sub: 'threads', match: (rel) => rel.endsWith('.json') }],
  // projects/<sanitized cwd>/chats/<sessionId>.jsonl (and anything a later build nests under chats/)
  'qwen-code': [{ sub: 'projects', match: (rel) => /^[^/]+\/chats\/.+\.jsonl$/.test(rel) }],
};

/** A SQLite database in WAL mode is written to its -wal file first: its changes count as the database's. */
async function fileStat(path: string) {
  const s = await stat(path);
  if (!path.endsWith('.db')) return s;
  const wal = await stat(`${path}-wal`).catch(() => undefined);
  return { isFile: () => s.isFile(), size: s.size + (wal?.size ?? 0), mtimeMs: Math.max(s.mtimeMs, wal?.mtimeMs ?? 0) };
}

export interface Discovery {
  files: LogFile[];
  errors: Array<{ path: string; message: string }>;
}

/** Every log file under the roots, sorted by path; a missing root is not an error (the agent is not installed). */
export async function discover(roots: Roots): Promise<Discovery> {
  const files: LogFile[] = [];
  const errors: Discovery['errors'] = [];
  const seen = new Set<string>();
  for (const tool of AGENT_TOOLS) {
    for (const root of roots[tool] ?? []) for (const place of LAYOUT[tool]) {
      const dir = join(root, place.sub);
      let entries: string[];
      try {
        entries = await readdir(dir, { recursive: !place.shallow });
      } catch (e: any) {
        if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') errors.push({ path: dir, message: e.message });
        continue;
      }
      for (const rel of entries) {
        if (!place.match(rel)) continue;
        const path = join(dir, rel);
        if (seen.has(path)) continue;
        seen.add(path);
        try {
          const s = await fileStat(path);
          if (s.isFile()) files.push({ tool, path, size: s.size, mtimeMs: s.mtimeMs });
        } catch (e: any) {
          errors.push({ path, message: e.message });
        }
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { files, errors };
}
