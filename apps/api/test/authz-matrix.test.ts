// The authorization matrix, generated from the code: every REST route (Fastify's route table)
// and every GraphQL Query and Mutation field (introspection) × every role and key scope (and keys
// restricted to an agent, which reach only what applies restrictions) × the caller's own
// workspace and another one. A route or field without a declared permission fails
// here (and the API does not start); one whose enforcement disagrees with its declaration fails too.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { type GraphQLField, type GraphQLSchema, buildClientSchema, getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiKeyScope, type Role, ROLES, createApiKey, ensureWorkspace, issueApiKey } from '@spendgraph/db';
import { FIELD_RULES, ROLE_PERMISSIONS, ROUTE_RULES, SCOPE_PERMISSIONS, WORKSPACE_HEADER, type Permission, ruleOf } from '../src/authz.ts';
import { argumentVariants, documentFor } from '@spendgraph/test-support/hostile';
import { signIn, workspaceWithPeople } from '@spendgraph/test-support/people';
import { registeredRoutes } from './routes.ts';
import { type Platform, graphqlRequest, startPlatform } from '@spendgraph/test-support/platform';

let p: Platform;
let routes: Array<{ method: string; url: string }>;
let schema: GraphQLSchema;
let subjects: Array<{ name: string; credential: string; email?: string; permissions: readonly Permission[]; restricted?: true }>;
let otherSlug: string;

beforeAll(async () => {
  p = await startPlatform({ worker: false });
  routes = await registeredRoutes(p.env);
  const team = await workspaceWithPeople(p.pool, p.apiUrl);
  otherSlug = (await ensureWorkspace(p.pool, `t-other-${randomUUID().slice(0, 8)}`)).slug;
  const keys = await Promise.all((['ingest', 'read', 'admin'] as ApiKeyScope[]).map(async (s) => ({ s, key: (await createApiKey(p.pool, team.workspaceId, [s])).key })));
  const restricted = await Promise.all((['ingest', 'read'] as ApiKeyScope[]).map(async (s) => ({
    s, key: (await issueApiKey(p.pool, team.workspaceId, { name: 'restricted', scopes: [s], restriction: { agent: 'build-bot' } })).key,
  })));
  subjects = [
    ...ROLES.map((r: Role) => ({ name: r, credential: team.members[r].session, email: team.members[r].email, permissions: ROLE_PERMISSIONS[r] })),
    ...keys.map(({ s, key }) => ({ name: `${s} key`, credential: key, permissions: SCOPE_PERMISSIONS[s] })),
    ...restricted.map(({ s, key }) => ({ name: `restricted ${s} key`, credential: key, permissions: SCOPE_PERMISSIONS[s], restricted: true as const })),
  ];
  const { body } = await graphqlRequest(p.apiUrl, team.members.owner.session, getIntrospectionQuery());
  schema = buildClientSchema(body.data);
}, 240_000);
afterAll(async () => p?.stop());

/** A concrete path for a route pattern. */
const pathOf = (url: string) => url.replace(/:id\b/g, randomUUID()).replace(':shape', 'events').replace(':token', 'x').replace('*', 'v1/chat/completions');

/** node:http, not fetch: fetch refuses some methods the proxy routes take (TRACE, CONNECT). */
function call(method: string, url: string, credential: string, headers: Record<string, string> = {}): Promise<number> {
  const withBody = ['POST', 'PUT', 'PATCH'].includes(method);
  return new Promise((resolve, reject) => {
    const req = request(`${p.apiUrl}${pathOf(url)}`, {
      method,
      headers: { authorization: `Bearer ${credential}`, 'x-spendgraph-key': credential, ...(withBody ? { 'content-type': 'application/json' } : {}), ...headers },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(withBody ? '{}' : undefined);
  });
}

describe('REST', () => {
  it('every route declares a permission, and public ones say why', () => {
    expect(routes.length).toBeGreaterThan(20);
    const undeclared = routes.filter((r) => !ruleOf(r.method, r.url)).map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
    for (const [route, rule] of Object.entries(ROUTE_RULES)) if ('public' in rule) expect(rule.public.length, route).toBeGreaterThan(5);
  });

  it('every route × every role and key scope: allowed exactly as declared in the own workspace, refused in another', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const rule = ruleOf(route.method, route.url)!;
      // Node's HTTP parser answers QUERY with 400 before any route runs: nothing to authorize.
      if ('public' in rule || route.method === 'QUERY') continue;
      for (const s of subjects) {
        // Signing out ends the session it is sent with: a session of its own.
        const credential = route.url === '/v1/sessions/current' && s.email
          ? ((await (await signIn(p.apiUrl, s.email)).json()) as { session: string }).session : s.credential;
        const allowed = s.permissions.includes(rule.permission) && (!s.restricted || !!rule.restricted);
        const other = await call(route.method, route.url, credential, { [WORKSPACE_HEADER]: otherSlug });
        if (other !== 403) wrong.push(`${route.method} ${route.url} as ${s.name} in another workspace: ${other}`);
        const own = await call(route.method, route.url, credential);
        const denied = own === 401 || own === 403;
        if (allowed === denied) wrong.push(`${route.method} ${route.url} as ${s.name}: ${own} (${rule.permission} ${allowed ? 'allowed' : 'denied'})`);
        checked += 2;
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  }, 300_000);
});

describe('GraphQL', () => {
  const fields = () => (['query', 'mutation'] as const).flatMap((op) => {
    const type = op === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
    return Object.values(type.getFields()).map((field) => ({ op, key: `${type.name}.${field.name}`, field }));
  });

  it('every Query and Mutation field declares a permission', () => {
    expect(fields().length).toBeGreaterThan(40);
    expect(fields().filter((f) => !FIELD_RULES[f.key]).map((f) => f.key)).toEqual([]);
  });

  it('every field × every role and key scope: allowed exactly as declared in the own workspace, refused in another', async () => {
    const wrong: string[] = [];
    const endpoint = ROUTE_RULES['POST /graphql'] as { permission: Permission };
    const gql = (credential: string, query: string, variables: unknown, headers: Record<string, string> = {}) =>
      fetch(`${p.apiUrl}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, ...headers }, body: JSON.stringify({ query, variables }),
      });
    for (const { op, key, field } of fields()) {
      const rule = FIELD_RULES[key]!;
      const doc = documentFor(op, field as GraphQLField<unknown, unknown>);
      const variables = argumentVariants(field as GraphQLField<unknown, unknown>, schema)[0]!.variables;
      if ('role' in variables) variables.role = 'viewer'; // giving the owner role is an owner's act alone (tested in people.test.ts)
      for (const s of subjects) {
        // The endpoint's own rule first (an ingest key cannot reach /graphql), then the field's.
        const allowed = s.permissions.includes(endpoint.permission) && s.permissions.includes(rule.permission) && (!s.restricted || !!rule.restricted);
        const res = await gql(s.credential, doc, variables);
        const body = res.status === 200 || res.status === 400 ? await res.json() as { errors?: Array<{ extensions?: { code?: string } }> } : undefined;
        const forbidden = res.status === 401 || res.status === 403 || !!body?.errors?.some((e) => e.extensions?.code === 'FORBIDDEN');
        if (!body) await res.arrayBuffer();
        if (allowed === forbidden) wrong.push(`${key} as ${s.name}: ${res.status} ${JSON.stringify(body?.errors ?? '').slice(0, 200)} (${rule.permission} ${allowed ? 'allowed' : 'denied'})`);
        const other = await gql(s.credential, doc, variables, { [WORKSPACE_HEADER]: otherSlug });
        await other.arrayBuffer();
        if (other.status !== 403) wrong.push(`${key} as ${s.name} in another workspace: ${other.status}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 400_000);

  it('the roles are the issue\'s: viewer reads; analyst reads and keeps budgets; admin also keys, members, channels, repricing, retention', () => {
    const has = (r: Role, ...ps: Permission[]) => ps.every((x) => ROLE_PERMISSIONS[r].includes(x));
    expect(has('viewer', 'usage:read') && !has('viewer', 'budgets:manage') && !has('viewer', 'embeds:manage')).toBe(true);
    expect(has('analyst', 'usage:read', 'budgets:manage') && !has('analyst', 'channels:manage') && !has('analyst', 'keys:manage')).toBe(true);
    expect(has('admin', 'keys:manage', 'members:manage', 'budgets:manage', 'channels:manage', 'repricing:manage', 'retention:manage', 'audit:read')).toBe(true);
    expect([...ROLE_PERMISSIONS.owner].sort()).toEqual([...ROLE_PERMISSIONS.admin].sort());
  });
});
