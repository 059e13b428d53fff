// Outbound HTTP of alert and report channels, whose URLs tenants choose. Every
// connection resolves its host once, refuses internal addresses (egress policy,
// packages/budgets/src/egress.ts) and connects to the very address it checked, so a
// DNS answer cannot change between the check and the connection. Redirects are
// never followed, and only the status of an answer is kept: its body never reaches
// the tenant.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Agent } from 'undici';
import { type EgressPolicy, refusal } from '@spendgraph/budgets';
import type { SendOutcome } from './send.ts';

export const USER_AGENT = 'Spendgraph-Alerts/1';

/** Resolves a host name to its addresses (dns.lookup by default; tests pass their own resolver). */
export type Resolve = (host: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolve: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

class EgressRefused extends Error {
  readonly code = 'EGRESS_REFUSED';
}

/** Picks, for a host, an address every answer of which the policy allows. */
async function checkedAddress(policy: EgressPolicy, resolve: Resolve, host: string, port: number): Promise<string> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const answers = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await resolve(bare);
  if (!answers.length) throw new Error(`${bare} has no address`);
  // One internal answer refuses the host: a round-robin name must not reach inside on some attempts.
  for (const a of answers) {
    const why = refusal(policy, { host: bare, port, address: a.address });
    if (why) throw new EgressRefused(why);
  }
  return answers[0]!.address;
}

export type PostJson = (url: string, body: string, headers: Record<string, string>) => Promise<SendOutcome>;

/**
 * A poster for channel URLs under `policy`; one agent (and its keep-alive connections) per poster,
 * made with the first post (undici loads then: a worker that never posts never holds it).
 */
export function createPoster(opts: { policy: EgressPolicy; timeoutMs: number; resolve?: Resolve | undefined }): PostJson {
  const resolve = opts.resolve ?? systemResolve;
  let agent: Promise<Agent> | undefined;
  const connect = () => agent ??= import('undici').then(({ Agent, buildConnector }) => {
    const base = buildConnector({ timeout: opts.timeoutMs });
    return new Agent({
      connect: (o, cb) => {
        const port = Number(o.port) || (o.protocol === 'https:' ? 443 : 80);
        checkedAddress(opts.policy, resolve, o.hostname, port).then(
          // The host name stays the TLS server name (SNI and certificate check); the socket goes to the address checked.
          (address) => base({ ...o, hostname: address, servername: o.servername ?? (isIP(o.hostname) ? undefined : o.hostname) }, cb),
          (err: Error) => cb(err, null),
        );
      },
    });
  });
  return async (url, body, headers) => postJson(await connect(), url, body, headers, opts.timeoutMs);
}

/**
 * POSTs a JSON body. 2xx delivers. 408, 429, 5xx and network errors may pass
 * on a later attempt; any other answer (a 4xx, a redirect, which is not
 * followed) would come back the same, so it ends the delivery, as does a
 * refused destination.
 */
async function postJson(agent: Agent, url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendOutcome> {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    return { ok: false, httpStatus: null, error: 'not an http(s) URL', retryable: false };
  }
  const { errors, request } = await import('undici'); // loaded already: the agent is undici's
  try {
    const res = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Discard the answer (it frees the connection): its text is the receiver's, and could be anyone's.
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, httpStatus: res.statusCode, error: null, retryable: false };
    const retryable = res.statusCode === 408 || res.statusCode === 429 || res.statusCode >= 500;
    return { ok: false, httpStatus: res.statusCode, error: `HTTP ${res.statusCode}`, retryable };
  } catch (e) {
    if (e instanceof EgressRefused) return { ok: false, httpStatus: null, error: `refused: ${e.message}`, retryable: false };
    return { ok: false, httpStatus: null, error: requestError(e, timeoutMs, errors), retryable: true };
  }
}

/** A network failure by its code only (ECONNREFUSED, ENOTFOUND, ...): no addresses or internal text. */
function requestError(e: unknown, timeoutMs: number, errors: typeof import('undici').errors): string {
  if ((e as Error).name === 'TimeoutError' || e instanceof errors.HeadersTimeoutError || e instanceof errors.ConnectTimeoutError) {
    return `no answer within ${timeoutMs} ms`;
  }
  const err = e as { code?: string; cause?: { code?: string } };
  return `request failed: ${err.code ?? err.cause?.code ?? 'network error'}`;
}
