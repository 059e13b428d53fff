// `spendgraph collect --list-sources`: which agents were found on this machine, and which were not
// (with where they were looked for), so no agent is skipped silently.
import { stat } from 'node:fs/promises';
import type { AgentTool } from './call.ts';
import { AGENT_TOOLS, type Roots, discover } from './discover.ts';

export interface SourceReport {
  tool: AgentTool;
  /** found: log files to read; empty: a folder exists but holds no logs; missing: no folder (not installed). */
  status: 'found' | 'empty' | 'missing';
  roots: Array<{ path: string; exists: boolean }>;
  files: number;
  bytes: number;
}

const exists = (path: string) => stat(path).then((s) => s.isDirectory(), () => false);

export async function listSources(roots: Roots): Promise<{ sources: SourceReport[]; errors: Array<{ path: string; message: string }> }> {
  const { files, errors } = await discover(roots);
  const sources = await Promise.all(AGENT_TOOLS.map(async (tool): Promise<SourceReport> => {
    const mine = files.filter((f) => f.tool === tool);
    const where = await Promise.all((roots[tool] ?? []).map(async (path) => ({ path, exists: await exists(path) })));
    const status = mine.length ? 'found' : where.some((r) => r.exists) ? 'empty' : 'missing';
    return { tool, status, roots: where, files: mine.length, bytes: mine.reduce((n, f) => n + f.size, 0) };
  }));
  return { sources, errors };
}

/** One line per agent: its status, files and size, and the folders looked in. */
export function formatSources(sources: SourceReport[]): string {
  const label = { found: 'found', empty: 'no logs', missing: 'not found' } as const;
  const width = Math.max(...sources.map((s) => s.tool.length));
  return sources.map((s) => {
    const what = s.status === 'found' ? `${label.found}: ${s.files} files, ${(s.bytes / 1048576).toFixed(1)} MB` : label[s.status];
    const where = s.roots.map((r) => `${r.path}${r.exists ? '' : ' (absent)'}`).join(', ') || '(no folder configured)';
    return `${s.tool.padEnd(width)}  ${what.padEnd(30)}  ${where}`;
  }).join('\n');
}
