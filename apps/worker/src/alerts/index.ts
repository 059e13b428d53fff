// Delivery of budget alerts to their channels: webhook, Slack, e-mail.
//
// Environment of the worker:
//   SMTP_URL                  SMTP server for e-mail channels, e.g. smtp://user:pass@host:587 (smtps:// for
//                             implicit TLS). Unset: e-mail deliveries fail with "SMTP_URL is not configured on the worker".
//   ALERTS_EMAIL_FROM         sender address of alert e-mails (default spendgraph@localhost)
//   ALERT_WEBHOOK_TIMEOUT_MS  how long a webhook or Slack endpoint may take to answer (default 10000)
//   ALERT_EGRESS_ALLOW        internal destinations webhooks may reach (packages/budgets/src/egress.ts);
//                             every other private, loopback, link-local... address is refused
import { z } from 'zod';
import { type EgressPolicy, parseEgressAllowList } from '@spendgraph/budgets';
import type { AlertChannel, BudgetAlert } from '@spendgraph/db';
import { sendEmail } from './email.ts';
import { type PostJson, type Resolve, createPoster } from './http.ts';
import { sendSlack } from './slack.ts';
import { sendWebhook } from './webhook.ts';

export { alertPayload, alertText, headline, subject, type AlertPayload } from './message.ts';
export { signatureHeader } from './webhook.ts';
export { USER_AGENT, type Resolve } from './http.ts';

export interface AlertsConfig {
  smtpUrl?: string | undefined;
  emailFrom: string;
  webhookTimeoutMs: number;
  egress: EgressPolicy;
  /** Name resolution of webhook hosts (the system's by default). */
  resolve?: Resolve | undefined;
}

/** One alert going to one channel. */
export interface Outgoing {
  deliveryId: string;
  alert: BudgetAlert;
  channel: AlertChannel;
}

/** What one attempt came to; `retryable: false` ends the delivery at once. */
export interface SendOutcome {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  retryable: boolean;
}

export type SendAlert = (o: Outgoing) => Promise<SendOutcome>;

const envSchema = z.object({
  SMTP_URL: z.string().trim().transform((s) => s || undefined).optional(),
  ALERTS_EMAIL_FROM: z.string().trim().min(3).default('spendgraph@localhost'),
  ALERT_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  ALERT_EGRESS_ALLOW: z.string().optional(),
});

export function alertsConfig(env: NodeJS.ProcessEnv = process.env): AlertsConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid alert configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  return {
    smtpUrl: e.SMTP_URL, emailFrom: e.ALERTS_EMAIL_FROM, webhookTimeoutMs: e.ALERT_WEBHOOK_TIMEOUT_MS,
    egress: parseEgressAllowList(e.ALERT_EGRESS_ALLOW),
  };
}

/** The HTTP client of webhook and Slack channels under the egress policy. */
export function channelPoster(config: AlertsConfig): PostJson {
  return createPoster({ policy: config.egress, timeoutMs: config.webhookTimeoutMs, resolve: config.resolve });
}

/** The send function of the delivery processor: picks the sender of the channel's type. */
export function createSenders(config: AlertsConfig): SendAlert {
  const email = sendEmail(config);
  const post = channelPoster(config);
  const byType: Record<AlertChannel['type'], SendAlert> = {
    webhook: (o) => sendWebhook(o, post),
    slack: (o) => sendSlack(o, post),
    email,
  };
  return (o) => byType[o.channel.type](o);
}
