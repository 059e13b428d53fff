// E-mail through the SMTP server of SMTP_URL: alert and report channels, and invitations. One
// connection per message: they are rare, and there is no pool to keep alive or close.
import { type NodemailerError, createTransport } from 'nodemailer';
import type { ChannelsConfig, Send, SendOutcome } from './send.ts';

export const SMTP_NOT_CONFIGURED = 'SMTP_URL is not configured on the worker';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  headers: Record<string, string>;
}

/** Sends one e-mail from ALERTS_EMAIL_FROM; the outcome says whether trying again can help. */
export function mailer(config: Pick<ChannelsConfig, 'smtpUrl' | 'emailFrom'>): (mail: Mail) => Promise<SendOutcome> {
  if (!config.smtpUrl) {
    // Retrying cannot help until the worker is reconfigured.
    return async () => ({ ok: false, httpStatus: null, error: SMTP_NOT_CONFIGURED, retryable: false });
  }
  const transport = createTransport({ url: config.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return async (mail): Promise<SendOutcome> => {
    try {
      await transport.sendMail({ from: config.emailFrom, ...mail });
      return { ok: true, httpStatus: null, error: null, retryable: false };
    } catch (e) {
      const err = e as NodemailerError;
      // A permanent SMTP rejection (5xx: unknown recipient, refused sender, bad credentials) comes back the same.
      return { ok: false, httpStatus: null, error: `${err.code ? `${err.code}: ` : ''}${err.message}`, retryable: err.permanent !== true && err.code !== 'ECONFIG' };
    }
  };
}

/** An e-mail channel's delivery of a message. */
export function sendEmail(config: ChannelsConfig): Send {
  const send = mailer(config);
  return (o) => send({ to: o.channel.target, subject: o.message.subject, text: o.message.text, html: o.message.html, headers: { 'x-spendgraph-delivery': o.deliveryId } });
}
