// A real OpenID Connect provider on loopback for SSO tests: the maintained `oidc-provider`
// package with its development login and consent pages (any password; the login names one of
// `accounts`). Tests drive it from a browser, or with fetch through `signInAt`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  email: string;
  emailVerified: boolean;
  name?: string;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

/** Starts a provider with one confidential client allowed to redirect to `redirectUris`. */
export async function startOidcProvider(o: { redirectUris: string[]; accounts: Record<string, TestAccount> }): Promise<TestIdp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'spendgraph-test';
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: o.redirectUris, response_types: ['code'], grant_types: ['authorization_code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: [clientSecret] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    async findAccount(_ctx, id) {
      const a = o.accounts[id];
      return a && { accountId: id, claims: () => ({ sub: id, email: a.email, email_verified: a.emailVerified, name: a.name }) };
    },
  });
  server.on('request', provider.callback());
  return {
    issuer, clientId, clientSecret,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * What a browser does at the provider, with fetch: opens the authorization URL, signs in as
 * `login` on the login page, continues on the consent page, and returns the URL the provider
 * redirects back to (the app's callback, with code and state), without following it.
 */
export async function signInAt(authorizationUrl: string, login: string): Promise<URL> {
  const cookies = new Map<string, string>();
  const issuer = new URL(authorizationUrl).origin;
  let url = authorizationUrl;
  let form: Record<string, string> | undefined;
  for (let hops = 0; hops < 20; hops++) {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET', redirect: 'manual', body: form && new URLSearchParams(form),
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      cookies.set(pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1));
    }
    const html = await res.text();
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== issuer) return next;
      [url, form] = [next.href, undefined];
      continue;
    }
    // An interaction page: its form's action, answered as the login or the consent form.
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action || !prompt) throw new Error(`the provider answered ${res.status} at ${url}: ${html.slice(0, 300)}`);
    [url, form] = [new URL(action, url).href, prompt === 'login' ? { prompt, login, password: 'any' } : { prompt }];
  }
  throw new Error('the provider did not redirect back within 20 steps');
}
