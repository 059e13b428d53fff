// The worker's whole configuration, read from the environment once at start (zod):
// its own variables, how it reaches alert and report channels, and the insights
// settings (packages/insights). One bad variable stops the start with its name.
import { z } from 'zod';
import { parseEgressAllowList } from '@spendgraph/budgets';
import { type InsightsSettings, insightsEnv, insightsSettingsOf } from '@spendgraph/insights';
import { parseEnv } from '@spendgraph/env';
import { secretProblem, semanticEnv } from '@spendgraph/semantic';
import type { ChannelsConfig } from './channels/index.ts';

const workerEnv = z.object({
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required'),
  REDIS_URL: z.string().min(1, 'REDIS_URL is required'),
  /** Ingest jobs processed at once; each holds one Postgres connection while inserting. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * How long a job stays locked without the worker renewing it. A worker that
   * dies (even SIGKILL) loses its locks; after this its jobs are redelivered.
   */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often ingest jobs that failed while the database was unavailable are retried, once it answers. */
  INGEST_RECOVER_EVERY_MS: z.coerce.number().int().min(100).default(60_000),
  /** Queues this process works on: split them to run ingest and upkeep in separate processes. */
  WORKER_QUEUES: z.string().default('ingest,maintenance,budgets,alerts,insights')
    .transform((s) => s.split(',').map((q) => q.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['ingest', 'maintenance', 'budgets', 'alerts', 'insights'])).min(1)),
  /** Period of the roll-up warming job; 0 turns the schedule off. */
  ROLLUP_WARM_EVERY_MS: z.coerce.number().int().min(0).default(5 * 60_000),
  /** Period of the retention job (raw events past a workspace's retention -> daily aggregates); 0 turns it off. */
  RETENTION_EVERY_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Period of the evaluation of every budget (hard budgets are also checked after each batch); 0 turns it off. */
  BUDGET_EVAL_EVERY_MS: z.coerce.number().int().min(0).default(60_000),
  /** Period of anomaly detection; 0 turns it off. Its rules: ANOMALY_* (packages/insights settings). */
  ANOMALY_EVERY_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** How often alert rules are evaluated (0: never on a schedule). */
  ALERT_RULES_EVERY_MS: z.coerce.number().int().min(0).default(60_000),
  /** The morning report at MORNING_REPORT_TIME in MORNING_REPORT_TIMEZONE (packages/insights settings). */
  MORNING_REPORT_ENABLED: z.stringbool().default(true),
  /** Prometheus /metrics of this process (0 turns it off); bound to WORKER_METRICS_HOST. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  /** The operator's secret: /metrics answers only Authorization: Bearer <token>. Required while metrics are served. */
  OPERATOR_TOKEN: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).extend(semanticEnv);

const optional = z.string().trim().transform((s) => s || undefined).optional();

/** The cost-report connectors (processors/pull-bills.ts): off unless a workspace and an admin key are set. */
const billsEnv = z.object({
  /** The workspace (id or slug) the organization's bills are imported into. */
  BILLS_WORKSPACE: optional,
  /** OpenAI admin key (sk-admin-...) and where to reach the Costs API. */
  BILLS_OPENAI_ADMIN_KEY: optional,
  BILLS_OPENAI_BASE_URL: z.url().default('https://api.openai.com'),
  /** Anthropic Admin API key (sk-ant-admin...) and where to reach the cost report. */
  BILLS_ANTHROPIC_ADMIN_KEY: optional,
  BILLS_ANTHROPIC_BASE_URL: z.url().default('https://api.anthropic.com'),
  /** Period of the pull; 0 turns it off. */
  BILLS_PULL_EVERY_MS: z.coerce.number().int().min(0).default(6 * 3_600_000),
  /** Days pulled each time, today included: providers revise recent days, each pull replaces them. */
  BILLS_PULL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
});

/** Alert and report channels (channels/). */
const channelsEnv = z.object({
  /** SMTP server of e-mail channels, e.g. smtp://user:pass@host:587 (smtps:// for implicit TLS); unset, e-mails fail at once. */
  SMTP_URL: z.string().trim().transform((s) => s || undefined).optional(),
  /** Sender address of e-mails. */
  ALERTS_EMAIL_FROM: z.string().trim().min(3).default('spendgraph@localhost'),
  /** How long a webhook or Slack endpoint may take to answer. */
  ALERT_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Internal destinations webhooks may reach (packages/budgets/src/egress.ts); every other internal address is refused. */
  ALERT_EGRESS_ALLOW: z.string().optional(),
  /** The web app's address, for links in e-mailed reports (none without it). */
  WEB_URL: z.string().trim().transform((s) => s.replace(/\/+$/, '') || undefined).pipe(z.url().optional()).optional(),
});

/** The worker's environment (docker-compose.yml is checked against it: test/deploy/compose.test.ts). */
export const workerEnvSchema = workerEnv.extend(channelsEnv.shape).extend(insightsEnv.shape).extend(billsEnv.shape).superRefine((c, ctx) => {
  const problem = c.WORKER_METRICS_PORT !== 0 ? secretProblem('OPERATOR_TOKEN', c.OPERATOR_TOKEN) : undefined;
  if (problem) ctx.addIssue({ code: 'custom', path: ['OPERATOR_TOKEN'], message: `${problem} (or WORKER_METRICS_PORT=0 to serve no metrics)` });
});

export type WorkerConfig = z.infer<typeof workerEnv> & z.infer<typeof billsEnv> & { channels: ChannelsConfig; insights: InsightsSettings };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = parseEnv(workerEnvSchema, env);
  return { ...e, channels: channelsOf(e), insights: insightsSettingsOf(e) };
}

/** The channel settings alone (tests deliver without the rest of a worker). */
export function channelsConfig(env: NodeJS.ProcessEnv): ChannelsConfig {
  return channelsOf(parseEnv(channelsEnv, env, 'channel configuration'));
}

function channelsOf(e: z.infer<typeof channelsEnv>): ChannelsConfig {
  return { smtpUrl: e.SMTP_URL, emailFrom: e.ALERTS_EMAIL_FROM, webhookTimeoutMs: e.ALERT_WEBHOOK_TIMEOUT_MS, egress: parseEgressAllowList(e.ALERT_EGRESS_ALLOW), webUrl: e.WEB_URL };
}

