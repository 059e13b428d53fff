// People for API tests: a workspace with a member of each role, each signed in through the API.
import { randomUUID } from 'node:crypto';
import { type Pool, type Role, ROLES, addMembership, createUser, ensureWorkspace } from '@spendgraph/db';

export const TEST_PASSWORD = 'correct horse battery staple';

export async function signIn(apiUrl: string, email: string, password = TEST_PASSWORD, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return fetch(`${apiUrl}/v1/sessions`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password, ...extra }),
  });
}

/** A new person with a password; `email` is unique per call. */
export async function person(pool: Pool, label = 'someone') {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.test`;
  const user = await createUser(pool, { email, password: TEST_PASSWORD });
  return { ...user, email };
}

/** A workspace with one member of each role, each with a live session. */
export async function workspaceWithPeople(pool: Pool, apiUrl: string) {
  const ws = await ensureWorkspace(pool, `t-${randomUUID().slice(0, 12)}`);
  const members = {} as Record<Role, { userId: string; email: string; session: string }>;
  for (const role of ROLES) {
    const p = await person(pool, role);
    await addMembership(pool, { userId: p.id, workspaceId: ws.id, role });
    const res = await signIn(apiUrl, p.email);
    if (res.status !== 201) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
    members[role] = { userId: p.id, email: p.email, session: ((await res.json()) as { session: string }).session };
  }
  return { workspaceId: ws.id, slug: ws.slug, members };
}
