// Generic webhook: POSTs the alert's JSON (message.ts), signed with the
// channel's secret so receivers can tell it came from this Spendgraph.
//
// Verifying a delivery, on the receiving side (Stripe-style):
//   1. Keep the raw request body as received, before any JSON parsing.
//   2. Split x-spendgraph-signature "t=<unix seconds>,v1=<hex>" into t and v1.
//   3. expected = hex(HMAC-SHA256(key = the channel's secret, message = t + "." + raw body)).
//   4. Accept when crypto.timingSafeEqual(expected, v1) holds and |now - t| <= 300 s (so a
//      captured request cannot be replayed later); every attempt is signed afresh.
//   5. Deduplicate on x-spendgraph-delivery: all attempts of one delivery carry the same id.
import { createHmac } from 'node:crypto';
import type { Outgoing, SendOutcome } from './index.ts';
import { ALERT_EVENT, alertPayload } from './message.ts';

export const USER_AGENT = 'Spendgraph-Alerts/1';

export function signatureHeader(secret: string, rawBody: string, atMs = Date.now()): string {
  const t = Math.floor(atMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

export async function sendWebhook(o: Outgoing, timeoutMs: number): Promise<SendOutcome> {
  // The schema requires a secret for webhooks; an unsigned request would be indistinguishable from a forgery.
  if (!o.channel.secret) return { ok: false, httpStatus: null, error: 'webhook channel has no secret', retryable: false };
  const body = JSON.stringify(alertPayload(o.alert));
  const headers = {
    'x-spendgraph-event': ALERT_EVENT,
    'x-spendgraph-delivery': o.deliveryId,
    'x-spendgraph-signature': signatureHeader(o.channel.secret, body),
  };
  return postJson(o.channel.target, body, headers, timeoutMs);
}

/**
 * POSTs a JSON body. 2xx delivers. 408, 429, 5xx and network errors may pass
 * on a later attempt; any other answer (a 4xx, a redirect, which is not
 * followed) would come back the same, so it ends the delivery.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendOutcome> {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    return { ok: false, httpStatus: null, error: `not an http(s) URL: ${url}`, retryable: false };
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    return { ok: false, httpStatus: null, error: requestError(e, timeoutMs), retryable: true };
  }
  // Read the answer either way: it frees the connection, and a failure's body usually says why.
  const text = await res.text().catch(() => '');
  if (res.ok) return { ok: true, httpStatus: res.status, error: null, retryable: false };
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  return { ok: false, httpStatus: res.status, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, retryable };
}

function requestError(e: unknown, timeoutMs: number): string {
  if (e instanceof DOMException && e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  // undici reports "fetch failed" and puts the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message;
  return `${(e as Error).message}${reason ? `: ${reason}` : ''}`;
}
