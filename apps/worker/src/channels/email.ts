// E-mail through the SMTP server of SMTP_URL. One connection per message:
// alerts and reports are rare, and there is no pool to keep alive or close.
import { type NodemailerError, createTransport } from 'nodemailer';
import type { ChannelsConfig, Send, SendOutcome } from './send.ts';

export const SMTP_NOT_CONFIGURED = 'SMTP_URL is not configured on the worker';

export function sendEmail(config: ChannelsConfig): Send {
  if (!config.smtpUrl) {
    // Retrying cannot help until the worker is reconfigured.
    return async () => ({ ok: false, httpStatus: null, error: SMTP_NOT_CONFIGURED, retryable: false });
  }
  const transport = createTransport({ url: config.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return async (o): Promise<SendOutcome> => {
    try {
      await transport.sendMail({
        from: config.emailFrom,
        to: o.channel.target,
        subject: o.message.subject,
        text: o.message.text,
        headers: { 'x-spendgraph-delivery': o.deliveryId },
      });
      return { ok: true, httpStatus: null, error: null, retryable: false };
    } catch (e) {
      const err = e as NodemailerError;
      // A permanent SMTP rejection (5xx: unknown recipient, refused sender, bad credentials) comes back the same.
      return { ok: false, httpStatus: null, error: `${err.code ? `${err.code}: ` : ''}${err.message}`, retryable: err.permanent !== true && err.code !== 'ECONFIG' };
    }
  };
}
