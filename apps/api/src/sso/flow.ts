// The OpenID Connect authorization code flow with PKCE, through openid-client: discovery of the
// organization's provider, the authorization URL (state, nonce and PKCE verifier kept server-side
// in sso_attempts, one use, ten minutes), then the code exchanged and the ID token validated
// (signature, issuer, audience, expiry, nonce) by the library. What the token says is checked
// here: a verified e-mail at one of the connection's domains. docs/decisions/0012-oidc-sso.md.
import * as oidc from 'openid-client';
import { LRUCache } from 'lru-cache';
import {
  type Pool, type SsoConnection, findSsoConnectionByDomain, getSsoConnection, saveSsoAttempt, takeSsoAttempt,
} from '@spendgraph/db';
import { SsoFailure } from './failure.ts';
import { isLoopbackHttp } from './issuer.ts';
import type { SecretBox } from './secret-box.ts';

const ATTEMPT_TTL_MS = 10 * 60_000;
const PROVIDER_TIMEOUT_S = 10;

export interface FlowDeps {
  pool: Pool;
  secrets: SecretBox;
}

/** Who the provider says signed in, once every check passed. */
export interface SsoIdentity {
  connection: SsoConnection;
  email: string;
  name: string | null;
}

// Discovered configurations (with their JWKS cache) per connection version: a provider's keys are
// fetched once, not at every sign-in; a changed connection is discovered afresh.
const configs = new LRUCache<string, oidc.Configuration>({ max: 500, ttl: 10 * 60_000 });

async function configFor(deps: FlowDeps, c: SsoConnection): Promise<oidc.Configuration> {
  const cacheKey = `${c.organizationId} ${c.updatedAt}`;
  const cached = configs.get(cacheKey);
  if (cached) return cached;
  const secret = c.clientSecret ? deps.secrets.open(c.clientSecret) : undefined;
  if (c.clientSecret && secret === undefined) {
    throw new SsoFailure(503, 'sso_misconfigured', 'the SSO client secret cannot be read (the server\'s OPERATOR_TOKEN changed): an admin must enter it again');
  }
  const issuer = new URL(c.issuer);
  const options: oidc.DiscoveryRequestOptions = { timeout: PROVIDER_TIMEOUT_S, ...(isLoopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : {}) };
  try {
    const config = await oidc.discovery(issuer, c.clientId, undefined, secret ? oidc.ClientSecretBasic(secret) : oidc.None(), options);
    configs.set(cacheKey, config);
    return config;
  } catch (e) {
    throw new SsoFailure(502, 'sso_provider_unavailable', `the identity provider at ${c.issuer} could not be read (${(e as Error).message}); try again or ask an admin to check the SSO settings`);
  }
}

async function enabledConnectionFor(pool: Pool, domain: string): Promise<SsoConnection> {
  const c = await findSsoConnectionByDomain(pool, domain);
  if (!c) throw new SsoFailure(404, 'sso_unknown_domain', `no organization signs in with SSO for ${domain}: sign in with your e-mail and password`);
  if (!c.enabled) throw new SsoFailure(403, 'sso_disabled', `SSO sign-in for ${domain} is turned off: sign in with your e-mail and password, or ask an admin`);
  return c;
}

/** Starts a sign-in: the provider's authorization URL to send the browser to, and the state it will come back with. */
export async function startSignIn(deps: FlowDeps, s: { domain: string; loginHint?: string; redirectUri: string }) {
  const c = await enabledConnectionFor(deps.pool, s.domain);
  const config = await configFor(deps, c);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  await saveSsoAttempt(deps.pool, state, { organizationId: c.organizationId, nonce, codeVerifier, redirectUri: s.redirectUri }, ATTEMPT_TTL_MS);
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: s.redirectUri, scope: 'openid email profile', state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    ...(s.loginHint ? { login_hint: s.loginHint } : {}),
  });
  return { authorizationUrl: url.href, state };
}

/** What the library's refusal means to the person signing in. */
function refusal(e: unknown): SsoFailure {
  if (e instanceof oidc.AuthorizationResponseError || e instanceof oidc.ResponseBodyError) {
    const what = e instanceof oidc.ResponseBodyError ? 'the authorization code' : 'the sign-in';
    const why = e.error_description ? `${e.error}: ${e.error_description}` : e.error;
    return new SsoFailure(401, 'sso_refused', `the identity provider refused ${what} (${why})`);
  }
  if (e instanceof Error && e.name === 'TypeError' && /fetch/i.test(e.message)) {
    return new SsoFailure(502, 'sso_provider_unavailable', 'the identity provider could not be reached; try again');
  }
  // openid-client's message is general ("unexpected JWT claim value"); its cause names the check.
  const cause = (e as Error).cause;
  const what = cause instanceof Error ? cause.message : (e as Error).message;
  return new SsoFailure(401, 'sso_invalid_response', `the identity provider's answer failed validation (${what}); start the sign-in again`);
}

/**
 * Finishes a sign-in from the query string the provider redirected the browser with: the state
 * must name a sign-in under way (used up here), the code is exchanged with the PKCE verifier,
 * the ID token must carry the nonce, and its e-mail must be verified and at one of the domains.
 */
export async function finishSignIn(deps: FlowDeps, query: string): Promise<SsoIdentity> {
  const params = new URLSearchParams(query);
  const state = params.get('state');
  if (!state) throw new SsoFailure(400, 'sso_bad_state', 'the identity provider\'s answer carries no state: start the sign-in again');
  const attempt = await takeSsoAttempt(deps.pool, state);
  if (!attempt) throw new SsoFailure(400, 'sso_bad_state', 'this sign-in is unknown, already used or expired (after 10 minutes): start it again');
  const c = await getSsoConnection(deps.pool, attempt.organizationId);
  if (!c?.enabled) throw new SsoFailure(403, 'sso_disabled', 'SSO sign-in for this organization was turned off meanwhile');
  const config = await configFor(deps, c);
  const current = new URL(attempt.redirectUri);
  current.search = params.toString();
  const tokens = await oidc.authorizationCodeGrant(config, current, {
    pkceCodeVerifier: attempt.codeVerifier, expectedState: state, expectedNonce: attempt.nonce, idTokenExpected: true,
  }).catch((e: unknown) => Promise.reject(refusal(e)));
  const idToken = tokens.claims()!;
  if (idToken.email !== undefined && idToken.email_verified !== undefined) return identityOf(c, idToken);
  // Providers may keep the profile claims out of the ID token of a code flow (OpenID Connect
  // Core 5.4; oidc-provider does by default): they are then at the userinfo endpoint, same subject.
  const userInfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub).catch((e: unknown) => Promise.reject(refusal(e)));
  return identityOf(c, { ...userInfo, ...idToken });
}

function identityOf(c: SsoConnection, claims: Record<string, unknown>): SsoIdentity {
  const email = typeof claims.email === 'string' ? claims.email.trim() : '';
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw new SsoFailure(401, 'sso_no_email', 'the identity provider sent no e-mail address: an admin must let it release the email claim');
  }
  if (claims.email_verified !== true) {
    throw new SsoFailure(403, 'sso_unverified_email', `the identity provider has not verified ${email}: verify it there, then sign in again`);
  }
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (!c.domains.includes(domain)) {
    throw new SsoFailure(403, 'sso_unknown_domain', `${email} is not at a domain this organization signs in with (${c.domains.join(', ')})`);
  }
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : null;
  return { connection: c, email, name };
}
