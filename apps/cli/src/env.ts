// Every environment variable the spendgraph command reads (one schema; the compose `cli`
// service is checked against it: test/deploy/compose.test.ts). Options on the command line win.
import { parseEnv } from '@spendgraph/env';
import { z } from 'zod';

const optional = z.string().trim().transform((s) => s || undefined).optional();

export const cliEnv = z.object({
  /** admin: the database it works at. */
  DATABASE_URL: optional,
  /** collect and import: the API and the ingest key (--api, --key); collect: the work-item pattern (--work-item-pattern). */
  SPENDGRAPH_API_URL: optional,
  SPENDGRAPH_API_KEY: optional,
  SPENDGRAPH_WORK_ITEM_PATTERN: optional,
  /** collect: the developer and the machine the calls are credited to (--user, --machine). */
  SPENDGRAPH_USER: optional,
  SPENDGRAPH_MACHINE: optional,
  /** collect: where the agents keep their logs (packages/collectors defaultRoots). */
  CLAUDE_CONFIG_DIR: optional,
  CODEX_HOME: optional,
  GEMINI_DIR: optional,
  XDG_DATA_HOME: optional,
  AMP_DATA_DIR: optional,
  QWEN_RUNTIME_DIR: optional,
});

/** SPENDGRAPH_API_KEY and DATABASE_URL may come from the files SPENDGRAPH_API_KEY_FILE / DATABASE_URL_FILE name. */
export const readCliEnv = (env: NodeJS.ProcessEnv = process.env) => parseEnv(cliEnv, env);
