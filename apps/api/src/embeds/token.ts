// Embed tokens: a chart's query, theme, workspace and expiry signed with
// HMAC-SHA256 (EMBED_SIGNING_SECRET). Whoever holds one sees that chart of that
// workspace until it expires, and nothing else: the query comes from the token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const filterSchema = z.object({ member: z.string(), operator: z.string(), values: z.array(z.string()).nullish() });
const timeRangeSchema = z.object({ relative: z.string().nullish(), from: z.string().nullish(), to: z.string().nullish() });

/** What an embedded chart shows; the same arguments as the breakdown/timeseries queries. */
export const embedChartSchema = z.object({
  kind: z.enum(['breakdown', 'timeseries']),
  title: z.string().max(200).nullish(),
  measures: z.array(z.string()).min(1),
  by: z.array(z.string()).default([]),
  filters: z.array(filterSchema).nullish(),
  timeRange: timeRangeSchema.nullish(),
  timezone: z.string().nullish(),
  granularity: z.enum(['hour', 'day', 'week', 'month', 'quarter', 'year']).nullish(),
  limit: z.number().int().nullish(),
  theme: z.enum(['light', 'dark']).default('light'),
});
export type EmbedChart = z.infer<typeof embedChartSchema>;

const payloadSchema = z.object({ v: z.literal(1), ws: z.string(), exp: z.number().int(), chart: embedChartSchema });
export type EmbedPayload = z.infer<typeof payloadSchema>;

export class EmbedTokenError extends Error {
  readonly reason: 'invalid' | 'expired';
  constructor(reason: 'invalid' | 'expired', message: string) {
    super(message);
    this.reason = reason;
  }
}

function mac(secret: string, body: string) {
  return createHmac('sha256', secret).update(body).digest();
}

export function signEmbed(secret: string, payload: EmbedPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** The payload of a token this server signed and that has not expired; throws otherwise. */
export function verifyEmbed(secret: string, token: string, now = Date.now()): EmbedPayload {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length) throw new EmbedTokenError('invalid', 'malformed embed token');
  const expected = mac(secret, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new EmbedTokenError('invalid', 'the embed token’s signature does not match');
  let payload: EmbedPayload;
  try {
    payload = payloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    throw new EmbedTokenError('invalid', 'malformed embed token');
  }
  if (payload.exp * 1000 <= now) throw new EmbedTokenError('expired', `the embed token expired at ${new Date(payload.exp * 1000).toISOString()}`);
  return payload;
}
