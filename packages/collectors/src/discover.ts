// Where each agent keeps its session logs (standard locations, overridable).
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentTool } from './call.ts';

/** Folders to search per agent; an agent left out is not searched. */
export type Roots = Partial<Record<AgentTool, string[]>>;

/** Standard locations: CLAUDE_CONFIG_DIR (comma-separated) or ~/.config/claude and ~/.claude; CODEX_HOME or ~/.codex; GEMINI_DIR or ~/.gemini. */
export function defaultRoots(env: NodeJS.ProcessEnv = process.env, home = homedir()): Roots {
  const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    'claude-code': list(env.CLAUDE_CONFIG_DIR).length ? list(env.CLAUDE_CONFIG_DIR) : [join(home, '.config', 'claude'), join(home, '.claude')],
    codex: [env.CODEX_HOME || join(home, '.codex')],
    'gemini-cli': [env.GEMINI_DIR || join(home, '.gemini')],
  };
}

export interface LogFile {
  tool: AgentTool;
  path: string;
  size: number;
  mtimeMs: number;
}

const LAYOUT: Record<AgentTool, { sub: string; match: (rel: string) => boolean }> = {
  'claude-code': { sub: 'projects', match: (rel) => rel.endsWith('.jsonl') },
  codex: { sub: 'sessions', match: (rel) => /(^|\/)rollout-[^/]*\.jsonl$/.test(rel) },
  // tmp/<slug or project hash>/chats/session-*.json(l), and subagents' chats/<parentSessionId>/<id>.jsonl
  'gemini-cli': { sub: 'tmp', match: (rel) => /^[^/]+\/chats\/(session-[^/]*\.jsonl?|[^/]+\/[^/]+\.jsonl)$/.test(rel) },
};

export interface Discovery {
  files: LogFile[];
  errors: Array<{ path: string; message: string }>;
}

/** Every log file under the roots, sorted by path; a missing root is not an error (the agent is not installed). */
export async function discover(roots: Roots): Promise<Discovery> {
  const files: LogFile[] = [];
  const errors: Discovery['errors'] = [];
  const seen = new Set<string>();
  for (const tool of Object.keys(LAYOUT) as AgentTool[]) {
    for (const root of roots[tool] ?? []) {
      const dir = join(root, LAYOUT[tool].sub);
      let entries: string[];
      try {
        entries = await readdir(dir, { recursive: true });
      } catch (e: any) {
        if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') errors.push({ path: dir, message: e.message });
        continue;
      }
      for (const rel of entries) {
        if (!LAYOUT[tool].match(rel)) continue;
        const path = join(dir, rel);
        if (seen.has(path)) continue;
        seen.add(path);
        try {
          const s = await stat(path);
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
