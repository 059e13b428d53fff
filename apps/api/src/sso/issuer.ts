// Which issuer URLs a connection may name: HTTPS, or plain HTTP to this machine only (a provider
// on loopback, as the tests run one). openid-client refuses plain HTTP unless told; it is told
// for exactly these (flow.ts).
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const isLoopbackHttp = (url: URL) => url.protocol === 'http:' && LOOPBACK.has(url.hostname);

/** Why `value` cannot be an issuer, or undefined when it can. */
export function issuerProblem(value: string): string | undefined {
  if (!URL.canParse(value)) return 'is not a URL';
  const url = new URL(value);
  if (url.search || url.hash) return 'must not have a query or fragment';
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) return 'must be an https:// URL';
  return undefined;
}
