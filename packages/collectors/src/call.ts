// One billable model call found in a session log, before it becomes usage events.
import { type ReportedUsage, noTokens, tokensColumns } from '@spendgraph/schema';

export type AgentTool = 'claude-code' | 'codex' | 'gemini-cli' | 'opencode' | 'amp' | 'qwen-code';

export interface Call {
  /** Identifies the provider response across lines and files; the event id derives from it. */
  key: string;
  tool: AgentTool;
  /** The provider as the agent names it (OpenCode: its providerID, e.g. `anthropic`, `openrouter`). */
  provider: string;
  model: string;
  occurredAt: string;
  /** Counts as the provider reports them (`usage.convention` says how). */
  usage: ReportedUsage;
  /** The reasoning effort the agent logged for the call's turn (a source's name; events keep the ones we know). */
  effort?: string | undefined;
  sessionId?: string | undefined;
  cwd?: string | undefined;
  branch?: string | undefined;
  subagent: boolean;
  agentId?: string | undefined;
  /** Work items referenced by the session up to and including this call (sorted). */
  workItems: string[];
  /** Byte offset of the call's first line in its file (incremental reads resume before held-back calls). */
  offset: number;
  /** Keys earlier versions of the collector gave this call (a call sent under one is not sent again). */
  aliases?: string[] | undefined;
  /**
   * When the session holding this copy of the call started, for agents that copy calls into other
   * sessions (Gemini CLI imports, Qwen Code forks): of the copies read in one run, the earliest session's is kept.
   */
  origin?: string | undefined;
}

export function emptyUsage(convention: ReportedUsage['convention']): ReportedUsage {
  return { ...tokensColumns(noTokens()), convention };
}

/** A non-negative integer token count from a log value (absent or malformed counts are 0). */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}
