import { z } from 'zod';
import { parseEnv } from '@spendgraph/env';
import { secretProblem, semanticEnv } from '@spendgraph/semantic';

/** The API's environment (docker-compose.yml is checked against it: test/deploy/compose.test.ts). */
export const apiEnv = z.object({
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required'),
  /**
   * A streaming replica of DATABASE_URL that queries (GraphQL, REST, embeds) and exports read from;
   * writes, the guard and budget spend stay on the primary. Answers report its lag.
   */
  DATABASE_READ_URL: z.string().trim().transform((s) => s || undefined).optional(),
  REDIS_URL: z.string().min(1, 'REDIS_URL is required'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Largest accepted request body; a full batch of 10,000 events is ~7 MB. */
  API_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(32 * 1024 * 1024),
  /** Where /proxy/openai/* and /proxy/anthropic/* forward (no trailing slash). */
  PROXY_OPENAI_UPSTREAM: z.url().default('https://api.openai.com').transform((u) => u.replace(/\/+$/, '')),
  PROXY_ANTHROPIC_UPSTREAM: z.url().default('https://api.anthropic.com').transform((u) => u.replace(/\/+$/, '')),
  /** Internal destinations alert channels may name (packages/budgets/src/egress.ts); the worker reads the same. */
  ALERT_EGRESS_ALLOW: z.string().optional(),
  /**
   * The operator's secret: GET /metrics (Authorization: Bearer <token>) and the system-wide
   * fields of systemStatus (x-spendgraph-operator-token). Required; placeholders are refused.
   */
  OPERATOR_TOKEN: z.string().optional().superRefine((v, ctx) => {
    const problem = secretProblem('OPERATOR_TOKEN', v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }).transform((v) => v!.trim()),
  /** Failed authentications a client address may make per minute before it is answered 429. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Lifetime of a web sign-in session. */
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  // Wrong passwords in a row that lock an account, and for how long (apps/api/src/routes/sign-in.ts).
  SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  SIGNIN_LOCK_MINUTES: z.coerce.number().min(0.01).default(15),
  /**
   * Invitations are e-mailed (through the worker, which sends with its own SMTP_URL) when the API
   * has both: SMTP_URL saying e-mail is set up, and WEB_URL, the web app's address the accept link
   * points at (<WEB_URL>/invite/<token>). Without them the link is only returned to the inviter.
   */
  SMTP_URL: z.string().trim().transform((s) => s || undefined).optional(),
  WEB_URL: z.string().trim().transform((s) => s.replace(/\/+$/, '') || undefined).pipe(z.url().optional()).optional(),
  /** Connections of the exports' own pool (each running export holds one while its client reads). */
  EXPORT_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(6),
  /** An export is one statement as long as its client reads (the stall timeout ends a client that stopped): 30 min. */
  EXPORT_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(30 * 60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).extend(semanticEnv);

export type ApiConfig = z.infer<typeof apiEnv>;

/** The API's configuration; any variable may come from the file NAME_FILE names (secrets). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv(apiEnv, env);
}
