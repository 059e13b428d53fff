// Generic webhook: POSTs the message's JSON, signed with the channel's secret so
// receivers can tell it came from this Spendgraph. Headers: x-spendgraph-event,
// x-spendgraph-delivery, x-spendgraph-signature.
//
// Verifying a delivery, on the receiving side (Stripe-style):
//   1. Keep the raw request body as received, before any JSON parsing.
//   2. Split x-spendgraph-signature "t=<unix seconds>,v1=<hex>" into t and v1.
//   3. expected = hex(HMAC-SHA256(key = the channel's secret, message = t + "." + raw body)).
//   4. Accept when crypto.timingSafeEqual(expected, v1) holds and |now - t| <= 300 s (so a
//      captured request cannot be replayed later); every attempt is signed afresh.
//   5. Deduplicate on x-spendgraph-delivery: all attempts of one delivery carry the same id.
import { createHmac } from 'node:crypto';
import type { PostJson } from './http.ts';
import type { Outgoing, SendOutcome } from './send.ts';

export function signatureHeader(secret: string, rawBody: string, atMs = Date.now()): string {
  const t = Math.floor(atMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

export async function sendWebhook(o: Outgoing, post: PostJson): Promise<SendOutcome> {
  // The schema requires a secret for webhooks; an unsigned request would be indistinguishable from a forgery.
  if (!o.channel.secret) return { ok: false, httpStatus: null, error: 'webhook channel has no secret', retryable: false };
  const body = JSON.stringify(o.message.payload);
  const headers = {
    'x-spendgraph-event': o.message.event,
    'x-spendgraph-delivery': o.deliveryId,
    'x-spendgraph-signature': signatureHeader(o.channel.secret, body),
  };
  return post(o.channel.target, body, headers);
}
