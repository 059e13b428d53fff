// GraphQL calls to the Spendgraph API with the signed-in session (from the httpOnly
// cookie). The web app only asks the API; it never reads the database.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { API_URL, SESSION_COOKIE } from './config';

export interface ApiError { message: string; code?: string; field?: string }
export type ApiResult<T> = { ok: true; data: T } | { ok: false; errors: ApiError[] };

/** Posts a GraphQL request with `key`; errors are returned, not thrown, so pages can show them. */
export async function graphqlWithKey<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<ApiResult<T> & { status: number }> {
  let res: Response;
  try {
    res = await fetch(`${API_URL}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
      cache: 'no-store',
    });
  } catch (e) {
    return { ok: false, status: 0, errors: [{ message: `the Spendgraph API at ${API_URL} is unreachable: ${(e as Error).message}` }] };
  }
  const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>; message?: string };
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

/** Opens an API session for a key (POST /v1/sessions). */
export async function startSession(key: string): Promise<{ ok: true; session: string; expiresAt: string } | { ok: false; status: number; message: string }> {
  try {
    const res = await fetch(`${API_URL}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, cache: 'no-store' });
    const body = (await res.json().catch(() => ({}))) as { session?: string; expiresAt?: string; message?: string };
    if (res.status === 201 && body.session && body.expiresAt) return { ok: true, session: body.session, expiresAt: body.expiresAt };
    return { ok: false, status: res.status, message: body.message ?? `the API answered ${res.status}` };
  } catch (e) {
    return { ok: false, status: 0, message: `the Spendgraph API at ${API_URL} is unreachable: ${(e as Error).message}` };
  }
}

/** Ends an API session (sign-out); an API that cannot be reached leaves it to expire. */
export async function endSession(session: string): Promise<void> {
  await fetch(`${API_URL}/v1/sessions/current`, { method: 'DELETE', headers: { authorization: `Bearer ${session}` }, cache: 'no-store' }).catch(() => {});
}

/** A GraphQL request as the signed-in user; a rejected key sends them to sign in again. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<ApiResult<T>> {
  const result = await graphqlWithKey<T>(await signedInKey(), query, variables);
  if (result.status === 401) redirect('/signin?expired=1');
  return result;
}
