// GraphQL calls to the Spendgraph API with the signed-in session (from the httpOnly
// cookie). The web app only asks the API; it never reads the database.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { API_URL, SESSION_COOKIE } from './config';
import { MeDocument, type MeQuery, type TypedDocumentString } from './graphql/operations';
import { setCurrencySource } from './format';

export interface ApiError { message: string; code?: string; field?: string }
export type ApiResult<T> = { ok: true; data: T } | { ok: false; errors: ApiError[] };

/**
 * Posts a generated document (lib/graphql/operations.ts, from lib/graphql/operations/*.graphql)
 * with `key`; errors are returned, not thrown, so pages can show them. Only generated documents:
 * a query written as a string does not compile.
 */
export async function graphqlWithKey<R, V>(key: string, document: TypedDocumentString<R, V>, variables?: V): Promise<ApiResult<R> & { status: number }> {
  let res: Response;
  try {
    res = await fetch(`${API_URL}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
      cache: 'no-store',
    });
  } catch (e) {
    return { ok: false, status: 0, errors: [{ message: `the Spendgraph API at ${API_URL} is unreachable: ${(e as Error).message}` }] };
  }
  const body = (await res.json().catch(() => ({}))) as { data?: R; errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>; message?: string };
  if (body.errors?.length || !body.data) {
    const errors = body.errors?.map((e) => ({ message: e.message, code: e.extensions?.code, field: e.extensions?.field }))
      ?? [{ message: body.message ?? `the API answered ${res.status}` }];
    return { ok: false, status: res.status, errors };
  }
  return { ok: true, status: res.status, data: body.data };
}

export async function signedInKey(): Promise<string> {
  const session = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!session) redirect('/signin');
  return session;
}

export type RestResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; message: string; field?: string; line?: number };

/**
 * A REST call to the API (sign-in, first run, invitations, the workspace switch): the JSON answer
 * on 2xx, otherwise the API's own message (e.g. a lockout's "locked for 900 s"), never thrown.
 */
export async function rest<T>(method: string, path: string, { body, file, credential }: {
  body?: unknown; /** A file sent as it is (a provider's bill), instead of a JSON body. */ file?: { text: string; type: string }; credential?: string;
} = {}): Promise<RestResult<T>> {
  const headers: Record<string, string> = {};
  if (credential) headers.authorization = `Bearer ${credential}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (file) headers['content-type'] = file.type;
  try {
    const payload = file ? file.text : body === undefined ? undefined : JSON.stringify(body);
    const res = await fetch(`${API_URL}${path}`, { method, headers, body: payload, cache: 'no-store' });
    const json = (await res.json().catch(() => ({}))) as T & { message?: string; field?: string; line?: number };
    if (res.ok) return { ok: true, status: res.status, data: json };
    return { ok: false, status: res.status, message: json.message ?? `the API answered ${res.status}`, field: json.field, line: json.line };
  } catch (e) {
    return { ok: false, status: 0, message: `the Spendgraph API at ${API_URL} is unreachable: ${(e as Error).message}` };
  }
}

/** A session the API opened (sign-in, first run, an accepted invitation, a workspace switch). */
export interface Session { session: string; expiresAt: string }

/** Opens an API session for a key (POST /v1/sessions). */
export const startSession = (key: string) => rest<Session>('POST', '/v1/sessions', { credential: key });

/** Signs a person in (POST /v1/sessions with e-mail and password); the session presented, if any, ends. */
export const passwordSession = (email: string, password: string, replaces?: string) =>
  rest<Session>('POST', '/v1/sessions', { body: { email, password }, credential: replaces });

/** Whether the install still has no owner (first run). */
export async function firstRunOpen(): Promise<boolean> {
  const res = await rest<{ open: boolean }>('GET', '/v1/setup');
  return res.ok && res.data.open;
}

/** Ends an API session (sign-out); an API that cannot be reached leaves it to expire. */
export async function endSession(session: string): Promise<void> {
  await fetch(`${API_URL}/v1/sessions/current`, { method: 'DELETE', headers: { authorization: `Bearer ${session}` }, cache: 'no-store' }).catch(() => {});
}

/**
 * Who is signed in and the workspace's reporting currency, read once per request with the session's
 * key (one request: the layout, the page and every figure share it). The currency is the request's
 * display currency (lib/format.ts), since every money figure the API sends is in it.
 */
const requestCurrency = cache((): { code: string } => ({ code: 'USD' }));
setCurrencySource(() => requestCurrency().code);
export const signedIn = cache(async (key: string): Promise<ApiResult<MeQuery> & { status: number }> => {
  const res = await graphqlWithKey(key, MeDocument);
  if (res.ok) requestCurrency().code = res.data.workspace.currency;
  return res;
});

/**
 * A GraphQL request as the signed-in user; a rejected key sends them to sign in again. The document
 * is a generated one (lib/graphql/operations.ts, from lib/graphql/operations/*.graphql), so its
 * variables and answer are typed from the schema; a query written as a string does not compile.
 */
export async function gql<R, V>(document: TypedDocumentString<R, V>, variables?: V): Promise<ApiResult<R>> {
  const key = await signedInKey();
  const [result] = await Promise.all([graphqlWithKey(key, document, variables), signedIn(key)]);
  if (result.status === 401) redirect('/signin?expired=1');
  return result;
}
