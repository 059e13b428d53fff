// Where sign-in may send the browser afterwards: a path of this app only. Browsers read
// `/\evil.com`, `//evil.com` and `/\t/evil.com` as other hosts, so the target is resolved
// against a placeholder origin and kept only when it stays on it.
const HERE = 'http://spendgraph.invalid';

export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, HERE);
  } catch {
    return '/';
  }
  return url.origin === HERE && !next.startsWith('//') ? `${url.pathname}${url.search}${url.hash}` : '/';
}
