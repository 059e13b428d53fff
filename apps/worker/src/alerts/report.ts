// Delivery of stored reports (the morning report) to alert channels, with the
// transports of alerts: a signed webhook POST, a Slack message, an e-mail.
//   webhook  POST {type: 'report.morning', report_id, workspace_id, for_date, timezone, currency,
//            markdown, figures} with x-spendgraph-event: report.morning, x-spendgraph-delivery and
//            x-spendgraph-signature (the same HMAC scheme as alerts, see webhook.ts)
//   slack    the Markdown turned into Slack's mrkdwn
//   email    the Markdown as the text body
import { type NodemailerError, createTransport } from 'nodemailer';
import type { AlertChannel, Report } from '@spendgraph/db';
import { SMTP_NOT_CONFIGURED } from './email.ts';
import { type AlertsConfig, type SendOutcome, channelPoster } from './index.ts';
import type { PostJson } from './http.ts';
import { signatureHeader } from './webhook.ts';

export interface OutgoingReport {
  deliveryId: string;
  report: Report;
  channel: AlertChannel;
}

export type SendReport = (o: OutgoingReport) => Promise<SendOutcome>;

export const reportEvent = (r: Report) => `report.${r.kind}`;

export function reportPayload(r: Report) {
  return {
    type: reportEvent(r), report_id: r.id, workspace_id: r.workspaceId, for_date: r.forDate, timezone: r.timezone,
    currency: r.currency, markdown: r.markdown, figures: r.figures, created_at: r.createdAt,
  };
}

export function reportSubject(r: Report): string {
  return `[Spendgraph] ${r.kind === 'morning' ? 'Morning report' : 'Report'} for ${r.forDate}`;
}

/** Slack's mrkdwn: headings and **bold** become *bold*; &, <, > are escaped. */
export function toSlack(markdown: string): string {
  return markdown
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/^#{1,6} (.*)$/gm, '*$1*')
    .replace(/\*\*(.+?)\*\*/g, '*$1*');
}

async function sendWebhook(o: OutgoingReport, post: PostJson): Promise<SendOutcome> {
  if (!o.channel.secret) return { ok: false, httpStatus: null, error: 'webhook channel has no secret', retryable: false };
  const body = JSON.stringify(reportPayload(o.report));
  return post(o.channel.target, body, {
    'x-spendgraph-event': reportEvent(o.report),
    'x-spendgraph-delivery': o.deliveryId,
    'x-spendgraph-signature': signatureHeader(o.channel.secret, body),
  });
}

async function sendSlack(o: OutgoingReport, post: PostJson): Promise<SendOutcome> {
  const text = toSlack(o.report.markdown);
  // A section holds at most 3000 characters; `text` carries the whole report regardless.
  const blocks = chunks(text, 2900).map((part) => ({ type: 'section', text: { type: 'mrkdwn', text: part } }));
  return post(o.channel.target, JSON.stringify({ text, blocks }), {});
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (current && current.length + line.length + 1 > size) {
      out.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line.slice(0, size);
  }
  if (current) out.push(current);
  return out;
}

function sendEmail(config: AlertsConfig): SendReport {
  if (!config.smtpUrl) return async () => ({ ok: false, httpStatus: null, error: SMTP_NOT_CONFIGURED, retryable: false });
  const transport = createTransport({ url: config.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return async (o) => {
    try {
      await transport.sendMail({
        from: config.emailFrom, to: o.channel.target, subject: reportSubject(o.report), text: o.report.markdown,
        headers: { 'x-spendgraph-delivery': o.deliveryId },
      });
      return { ok: true, httpStatus: null, error: null, retryable: false };
    } catch (e) {
      const err = e as NodemailerError;
      return { ok: false, httpStatus: null, error: `${err.code ? `${err.code}: ` : ''}${err.message}`, retryable: err.permanent !== true && err.code !== 'ECONFIG' };
    }
  };
}

/** The send function of the report delivery processor: picks the sender of the channel's type. */
export function createReportSenders(config: AlertsConfig): SendReport {
  const email = sendEmail(config);
  const post = channelPoster(config);
  const byType: Record<AlertChannel['type'], SendReport> = {
    webhook: (o) => sendWebhook(o, post),
    slack: (o) => sendSlack(o, post),
    email,
  };
  return (o) => byType[o.channel.type](o);
}
