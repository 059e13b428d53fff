// A real SMTP server on loopback for the e-mail tests, and the decoding a mail client does.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail { from: string; to: string[]; user: string | undefined; raw: string }

/** A real SMTP server on loopback that keeps what it receives. */
export async function startSmtp(mails: Mail[]): Promise<{ server: SMTPServer; url: string }> {
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth: (auth, _session, cb) =>
      auth.username === 'alerts' && auth.password === 's3cret' ? cb(null, { user: auth.username }) : cb(new Error('bad credentials')),
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        mails.push({
          from: mailFrom ? mailFrom.address : '',
          to: rcptTo.map((a) => a.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return { server, url: `smtp://alerts:s3cret@127.0.0.1:${(server.server.address() as AddressInfo).port}` };
}

const unQuote = (s: string) => Buffer.from(s.replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');

/** Decodes RFC 2047 encoded-words (=?UTF-8?Q?...?= or ?B?), as mail clients show them. */
const decodeWords = (s: string) => s.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
  enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : unQuote(data.replace(/_/g, ' ')));

/** Subject and text of a single-part message (headers unfolded, quoted-printable decoded). */
export function parseMail(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const headers = head.replace(/\r\n[ \t]+/g, ' ');
  const body = rest.join('\r\n\r\n');
  const qp = /content-transfer-encoding: quoted-printable/i.test(headers);
  const text = qp ? unQuote(body.replace(/=\r\n/g, '')) : body;
  return { subject: decodeWords(/^subject: (.*)$/im.exec(headers)?.[1] ?? ''), text: text.replace(/\r\n/g, '\n').trim() };
}

/** The decoded parts of a multipart message by content type (text/plain, text/html), as a mail client picks them. */
export function mailParts(raw: string): Record<string, string> {
  const [head = ''] = raw.split('\r\n\r\n');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head.replace(/\r\n[ \t]+/g, ' '))?.[1];
  if (!boundary) return {};
  return Object.fromEntries(raw.split(`--${boundary}`).slice(1, -1).map((part) => {
    const type = /content-type: ([\w/+-]+)/i.exec(part)?.[1]?.toLowerCase() ?? '';
    return [type, parseMail(part.replace(/^\r\n/, '')).text];
  }));
}
