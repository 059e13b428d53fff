// Delivery of a message (a budget alert, a report) to one channel: webhook, Slack
// or e-mail. Alerts and reports differ only in their message (../messages/); the
// transports, and the egress policy on every HTTP connection, are these.
import type { EgressPolicy } from '@spendgraph/budgets';
import type { AlertChannel } from '@spendgraph/db';
import { sendEmail } from './email.ts';
import { type Resolve, createPoster } from './http.ts';
import { sendSlack } from './slack.ts';
import { sendWebhook } from './webhook.ts';

/** How the worker reaches channels (config.ts reads it from SMTP_URL, ALERTS_EMAIL_FROM, ALERT_*). */
export interface ChannelsConfig {
  smtpUrl?: string | undefined;
  emailFrom: string;
  webhookTimeoutMs: number;
  egress: EgressPolicy;
  /** Name resolution of webhook hosts (the system's by default). */
  resolve?: Resolve | undefined;
  /** The web app's address (WEB_URL): links in e-mailed reports. */
  webUrl?: string | undefined;
}

/** One message in the forms its channels take. */
export interface Message {
  /** x-spendgraph-event of webhooks, e.g. budget.threshold_crossed. */
  event: string;
  /** The webhook's JSON body. */
  payload: unknown;
  /** E-mail subject. */
  subject: string;
  /** Markdown: the e-mail's text body. */
  text: string;
  /** The e-mail's HTML body, for messages that have one (reports); the text stays the plain alternative. */
  html?: string;
  /** Slack's mrkdwn. */
  slack: string;
}

/** One message going to one channel. */
export interface Outgoing {
  deliveryId: string;
  channel: AlertChannel;
  message: Message;
}

/** What one attempt came to; `retryable: false` ends the delivery at once. */
export interface SendOutcome {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  retryable: boolean;
}

export type Send = (o: Outgoing) => Promise<SendOutcome>;

/** The send function of the delivery processors: picks the transport of the channel's type. */
export function createSender(config: ChannelsConfig): Send {
  const post = createPoster({ policy: config.egress, timeoutMs: config.webhookTimeoutMs, resolve: config.resolve });
  const byType: Record<AlertChannel['type'], Send> = {
    webhook: (o) => sendWebhook(o, post),
    slack: (o) => sendSlack(o, post),
    email: sendEmail(config),
  };
  return (o) => byType[o.channel.type](o);
}
