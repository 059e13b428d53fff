// Authorization in one place: what each role and each key scope may do, and what every REST
// route and every GraphQL Query/Mutation field needs. A route or field without a declaration
// here stops the API from starting (and fails apps/api/test/authz-matrix.test.ts): no endpoint
// can skip the check. docs/decisions/0010-people-roles-keys.md.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions, preHandlerHookHandler } from 'fastify';
import { type ApiKeyIdentity, type ApiKeyScope, type Pool, type Role, findWorkspace, getRole, roleScopes, workspacesIn, workspacesOf } from '@spendgraph/db';

export const PERMISSIONS = [
  'usage:read', 'exports:run', 'events:ingest', 'work:write', 'embeds:manage', 'budgets:manage', 'channels:manage',
  'repricing:manage', 'retention:manage', 'deadletters:manage', 'system:read', 'members:manage', 'keys:manage', 'audit:read', 'self',
  'guard:check', 'sso:manage', 'workspace:manage', 'bills:import', 'economics:manage', 'anomalies:triage',
  'views:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = ['usage:read', 'exports:run', 'self', 'guard:check'];
const ANALYST: Permission[] = [...VIEWER, 'budgets:manage', 'embeds:manage', 'anomalies:triage', 'views:manage'];

/** People: owner and admin may do everything (only an owner may make or unmake owners: people/members.ts). */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS,
  analyst: ANALYST,
  viewer: VIEWER,
};

/** Keys: exactly what the scopes allowed before people existed (an existing key with `admin` may do everything). */
export const SCOPE_PERMISSIONS: Record<ApiKeyScope, readonly Permission[]> = {
  ingest: ['events:ingest', 'work:write', 'guard:check'],
  read: ['usage:read', 'exports:run', 'embeds:manage', 'views:manage', 'self', 'guard:check'],
  admin: PERMISSIONS,
};

export function permissionsOf(identity: Pick<ApiKeyIdentity, 'role' | 'scopes' | 'userId'>): Set<Permission> {
  if (identity.userId && identity.role) return new Set(ROLE_PERMISSIONS[identity.role]);
  return new Set(identity.scopes.flatMap((s) => SCOPE_PERMISSIONS[s] ?? []));
}

export const can = (identity: Pick<ApiKeyIdentity, 'role' | 'scopes' | 'userId'>, permission: Permission) => permissionsOf(identity).has(permission);

/** The workspace's administrators: owners and admins, and keys with the admin scope (e.g. they may end anyone's embed). */
export const isAdministrator = (identity: Pick<ApiKeyIdentity, 'role' | 'scopes' | 'userId'>) =>
  identity.userId ? identity.role === 'owner' || identity.role === 'admin' : identity.scopes.includes('admin');

/**
 * A key restricted to dimension values reaches only the endpoints that apply the restriction
 * (`restricted: true`: ingest stamps it, queries filter by it); every other one refuses it, so a
 * new endpoint is closed to restricted keys until it says how it honours them.
 */
export function restrictionRefusal(identity: Pick<ApiKeyIdentity, 'restriction'>, rule: { restricted?: true }, what: string): string | undefined {
  if (!identity.restriction || rule.restricted) return undefined;
  const to = Object.entries(identity.restriction).map(([d, v]) => `${d} = ${v}`).join(', ');
  return `this key is restricted to ${to}; ${what} is not limited to those values: use an unrestricted key`;
}

/** A route is open (it checks a token of its own, or nothing), or needs a permission. */
export type RouteRule =
  | { public: string }
  | { permission: Permission; /** authenticated inside the handler (the proxy reads its own header) */ inHandler?: true; /** applies a key's restriction (restrictionRefusal) */ restricted?: true };

/** Every REST route, as `METHOD url` (`* url` for every method). */
export const ROUTE_RULES: Record<string, RouteRule> = {
  'GET /health': { public: 'liveness' },
  'GET /ready': { public: 'readiness' },
  'GET /metrics': { public: 'the operator token is checked in the handler' },
  'GET /openapi.json': { public: 'the API description' },
  'GET /reference': { public: 'the API reference page (redirect)' },
  'GET /reference/': { public: 'the API reference page' },
  'GET /reference/js/scalar.js': { public: 'the API reference page\'s script' },
  'POST /v1/events': { permission: 'events:ingest', restricted: true },
  'POST /api/v1/events': { permission: 'events:ingest', restricted: true }, // OpenMeter's path for /v1/events
  'POST /v1/traces': { permission: 'events:ingest', restricted: true },
  'POST /v1/callbacks/litellm': { permission: 'events:ingest', restricted: true },
  'POST /v1/callbacks/helicone/:token': { permission: 'events:ingest', restricted: true }, // the key in the path when no header
  '* /proxy/openai/*': { permission: 'events:ingest', inHandler: true, restricted: true },
  '* /proxy/anthropic/*': { permission: 'events:ingest', inHandler: true, restricted: true },
  'GET /v1/guard/check': { permission: 'guard:check', restricted: true },
  'PUT /v1/plans/:id': { permission: 'work:write' },
  'PUT /v1/tasks/:id': { permission: 'work:write' },
  'PUT /v1/work-items/:id': { permission: 'work:write' },
  'GET /v1/plans': { permission: 'usage:read' },
  'GET /v1/tasks': { permission: 'usage:read' },
  'GET /v1/work-items': { permission: 'usage:read' },
  'GET /v1/exports/:shape': { permission: 'exports:run', restricted: true },
  // Every workspace of the organization where the caller may run exports (organizationReach), each by its own role.
  'GET /v1/organization/exports/focus': { permission: 'exports:run', restricted: true },
  'GET /v1/exports/download/:token': { public: 'the download token is the credential' },
  'GET /v1/embeds/:token': { public: 'the embed token is the credential' },
  'POST /v1/sessions': { public: 'sign-in: checks the key or the e-mail and password itself' },
  'DELETE /v1/sessions/current': { permission: 'self', restricted: true },
  'PUT /v1/sessions/current/workspace': { permission: 'self' },
  'GET /v1/setup': { public: 'first run: says whether the install has no owner yet' },
  'POST /v1/setup': { public: 'first run: creates the first owner only while the install has none, refused after' },
  'GET /v1/me': { permission: 'self', restricted: true },
  'POST /v1/invitations/accept': { public: 'the invitation token is the credential' },
  'POST /v1/sso/start': { public: 'sign-in: finds the SSO connection by the e-mail domain' },
  'POST /v1/sso/callback': { public: 'sign-in: the state, PKCE verifier and ID token are the credential' },
  'GET /v1/audit-log': { permission: 'audit:read' },
  'POST /v1/bills/:source': { permission: 'bills:import' },
  'POST /v1/revenue': { permission: 'economics:manage' },
  'POST /v1/revenue/stripe': { permission: 'economics:manage' },
  'POST /v1/cost-pools/focus': { permission: 'economics:manage' },
  'GET /graphql': { permission: 'usage:read', restricted: true }, // each field says whether it applies restrictions
  'POST /graphql': { permission: 'usage:read', restricted: true },
  'GET /graphql/cube': { permission: 'usage:read', restricted: true },
  'POST /graphql/cube': { permission: 'usage:read', restricted: true },
};

export const ruleOf = (method: string, url: string): RouteRule | undefined => ROUTE_RULES[`${method} ${url}`] ?? ROUTE_RULES[`* ${url}`];

/** Names another workspace of the signed-in person for one request (the web app's workspace switcher). */
export const WORKSPACE_HEADER = 'x-spendgraph-workspace';

const forbidden = (reply: FastifyReply, message: string) => reply.code(403).send({ error: 'forbidden', message });

/**
 * Every route registered after this gets its rule's check appended to its preHandlers (after the
 * credential is known); a route without a rule throws, so the API does not start.
 */
export function authorizeRoutes(app: FastifyInstance, pool: Pool) {
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const rule = ruleOf(method, route.url);
      if (!rule) throw new Error(`${method} ${route.url} declares no permission: add it to ROUTE_RULES in apps/api/src/authz.ts`);
      if ('public' in rule) continue;
      const check = rule.inHandler ? ownWorkspaceOnly : requirePermission(pool, rule, `${method} ${route.url}`);
      route.preHandler = [...[route.preHandler ?? []].flat(), check] as preHandlerHookHandler[];
    }
  });
}

/** Routes that authenticate in their handler act in the credential's own workspace only. */
const ownWorkspaceOnly: preHandlerHookHandler = async function ownWorkspaceOnly(request, reply) {
  if (request.headers[WORKSPACE_HEADER]) return forbidden(reply, `${WORKSPACE_HEADER} is not accepted here: this route acts in the credential's own workspace`);
};

function requirePermission(pool: Pool, rule: { permission: Permission; restricted?: true }, route: string): preHandlerHookHandler {
  const { permission } = rule;
  return async function authorize(request: FastifyRequest, reply: FastifyReply) {
    if (reply.sent) return;
    const identity = request.identity;
    if (!identity) return reply.code(401).send({ error: 'unauthorized', message: 'sign in or send an API key' });
    const named = request.headers[WORKSPACE_HEADER];
    if (typeof named === 'string' && named !== '') {
      const switched = await switchWorkspace(pool, identity, named);
      if (!switched) return forbidden(reply, `you are not a member of the workspace '${named}'`);
      request.identity = switched;
    }
    if (!can(request.identity!, permission)) {
      const who = identity.userId ? `the ${request.identity!.role} role` : 'this key';
      return forbidden(reply, `${who} lacks the ${permission} permission`);
    }
    const refusal = restrictionRefusal(identity, rule, route);
    if (refusal) return forbidden(reply, refusal);
  };
}

/** The identity acting in another workspace: a person's role there; a key never leaves its own. */
async function switchWorkspace(pool: Pool, identity: ApiKeyIdentity, idOrSlug: string): Promise<ApiKeyIdentity | undefined> {
  const workspace = await findWorkspace(pool, idOrSlug);
  if (!workspace) return undefined;
  if (workspace.id === identity.workspaceId) return identity;
  if (!identity.userId) return undefined;
  const role = await getRole(pool, identity.userId, workspace.id);
  return role && { ...identity, workspaceId: workspace.id, role, scopes: roleScopes(role) };
}

/** A workspace an organization-wide answer may include, with the caller's role there (none for a key). */
export interface ReachedWorkspace { id: string; slug: string; name: string; role: Role | null }

/**
 * The workspaces of the caller's organization in which the caller holds `permission`: a person's
 * memberships there, each judged by its own role (being an owner of one workspace grants nothing in
 * another); a key only its own workspace, as everywhere. Organization-wide answers read these and
 * no others: this is their gate, as ROUTE_RULES and FIELD_RULES are for one workspace.
 */
export async function organizationReach(
  pool: Pool, identity: Pick<ApiKeyIdentity, 'workspaceId' | 'role' | 'scopes' | 'userId'>, permission: Permission,
): Promise<{ organizationId: string; workspaces: ReachedWorkspace[] }> {
  const own = await findWorkspace(pool, identity.workspaceId);
  if (!own) return { organizationId: '', workspaces: [] };
  if (!identity.userId) {
    const allowed = can(identity, permission);
    return { organizationId: own.organizationId, workspaces: allowed ? [{ id: own.id, slug: own.slug, name: own.name, role: null }] : [] };
  }
  const memberships = (await workspacesOf(pool, identity.userId))
    .filter((m) => m.organizationId === own.organizationId && ROLE_PERMISSIONS[m.role].includes(permission));
  const workspaces = memberships.map((m) => ({ id: m.workspaceId, slug: m.slug, name: m.name, role: m.role }));
  return { organizationId: own.organizationId, workspaces: workspaces.sort((a, b) => a.slug.localeCompare(b.slug)) };
}

/**
 * Whether the caller may act on `permission` over a set of the organization's workspaces (ids or
 * slugs; null: all of them, later ones too, which needs every one now): an organization budget
 * needs budgets:manage in each workspace it covers. The ids, or a refusal naming what is missing.
 */
export async function organizationSetAccess(
  pool: Pool, identity: Pick<ApiKeyIdentity, 'workspaceId' | 'role' | 'scopes' | 'userId'>, permission: Permission, named: readonly string[] | null,
): Promise<{ organizationId: string; workspaceIds: string[] } | { refusal: string }> {
  const reach = await organizationReach(pool, identity, permission);
  const reached = new Map(reach.workspaces.flatMap((w) => [[w.id, w.id], [w.slug, w.id]]));
  if (named === null) {
    const all = await workspacesIn(pool, reach.organizationId);
    const missing = all.filter((w) => !reached.has(w.id));
    if (missing.length) return { refusal: `all of the organization's workspaces needs the ${permission} permission in each; you lack it in ${missing.length} of them` };
    return { organizationId: reach.organizationId, workspaceIds: all.map((w) => w.id) };
  }
  const unknown = named.find((n) => !reached.has(n));
  if (unknown !== undefined) return { refusal: `'${unknown}' is not a workspace of your organization in which you have the ${permission} permission` };
  return { organizationId: reach.organizationId, workspaceIds: [...new Set(named.map((n) => reached.get(n)!))] };
}

/**
 * Whether a budget may be shown to a caller who may read `readable` (ids from organizationReach
 * with usage:read): a workspace's own budget to its readers; an organization budget only to
 * whoever may read every workspace it covers, since its spend is their sum.
 */
export const budgetVisible = (b: { organization?: unknown; coveredWorkspaceIds: readonly string[] }, readable: ReadonlySet<string>) =>
  !b.organization || b.coveredWorkspaceIds.every((id) => readable.has(id));

/** The ids of the organization's workspaces the caller may read (budgetVisible's second argument). */
export async function readableWorkspaces(pool: Pool, identity: Pick<ApiKeyIdentity, 'workspaceId' | 'role' | 'scopes' | 'userId'>) {
  return new Set((await organizationReach(pool, identity, 'usage:read')).workspaces.map((w) => w.id));
}

/** What a change is recorded as in the audit log: its target and, where there is one, the row it changes. */
export interface AuditRule {
  targetType: string;
  /** The table whose row (by the `id` argument, or the created result's id) is the target's before and after. */
  table?: string;
  /**
   * The column `id` names (default id); `workspace` when the target is the caller's workspace
   * itself, `organization` when it is the row of the caller's organization (by organization_id).
   */
  idColumn?: string;
  /** The argument holding the target's id (default id). */
  idArg?: string;
  /** The row may be its organization's, found from any of its workspaces (organization budgets). */
  organizational?: true;
}

export interface FieldRule {
  permission: Permission;
  /** Applies a restricted key's values (its reads go through the semantic layer with them): restrictionRefusal. */
  restricted?: true;
  /** Administrative changes are recorded in the audit log. */
  audit?: AuditRule;
}

const read: FieldRule = { permission: 'usage:read' };
const restrictedRead: FieldRule = { permission: 'usage:read', restricted: true };
const budgets: AuditRule = { targetType: 'budget', table: 'budgets', organizational: true };
const channels: AuditRule = { targetType: 'alert_channel', table: 'alert_channels' };
const embeds: AuditRule = { targetType: 'embed_token', table: 'embed_tokens' };
const keys: AuditRule = { targetType: 'api_key', table: 'api_keys' };
const invitations: AuditRule = { targetType: 'invitation', table: 'invitations' };
const members: AuditRule = { targetType: 'member', table: 'memberships', idColumn: 'user_id', idArg: 'userId' };
const anomalies: AuditRule = { targetType: 'anomaly', table: 'anomalies' };
const costPools: AuditRule = { targetType: 'cost_pool', table: 'cost_pools' };
const savedViews: AuditRule = { targetType: 'saved_view', table: 'saved_views' };
const dashboards: AuditRule = { targetType: 'dashboard', table: 'dashboards' };
const alertRules: AuditRule = { targetType: 'alert_rule', table: 'alert_rules' };
const sso: AuditRule = { targetType: 'sso_connection', table: 'sso_connections', idColumn: 'organization' };

/** Every Query and Mutation field of /graphql, as `Type.field`. */
export const FIELD_RULES: Record<string, FieldRule> = {
  'Query.meta': restrictedRead, 'Query.breakdown': restrictedRead, 'Query.timeseries': restrictedRead, 'Query.events': restrictedRead,
  'Query.budgets': read, 'Query.budget': read, 'Query.budgetAlerts': read, 'Query.alertChannels': read,
  'Query.guardCheck': { permission: 'guard:check', restricted: true }, 'Query.embedTokens': read,
  'Query.taskTypeProfiles': read, 'Query.planForecasts': read, 'Query.spendProjection': read,
  'Query.anomalies': read, 'Query.anomalySummary': read, 'Query.reports': read, 'Query.report': read,
  'Query.plans': read, 'Query.tasks': read, 'Query.workItems': read, 'Query.comparePlans': read, 'Query.planOutliers': read,
  'Query.whatIf': restrictedRead, 'Query.savingsRecommendations': restrictedRead,
  'Query.reconciliation': read, 'Query.repricings': read, 'Query.repricing': read, 'Query.retention': read, 'Query.history': read,
  'Query.systemStatus': { permission: 'system:read' },
  'Query.me': { permission: 'self', restricted: true },
  'Query.members': { permission: 'self' },
  'Query.invitations': { permission: 'members:manage' },
  'Query.apiKeys': { permission: 'keys:manage' },
  'Query.auditLog': { permission: 'audit:read' },
  'Query.ssoConnection': { permission: 'sso:manage' },
  'Query.workspace': read,
  // Reads every workspace of the organization organizationReach() allows, each by the caller's role there.
  'Query.organizationOverview': read,
  // The organization budgets the caller may read every covered workspace of (budgetVisible).
  'Query.organizationBudgets': read,
  // The stored morning reports of the workspaces organizationReach() allows.
  'Query.organizationReport': read,
  'Query.fxRates': read,
  // Shared views and the caller's own private ones; dashboards are the workspace's (views/state.ts, graphql/views.ts).
  'Query.savedViews': read, 'Query.savedView': read, 'Query.dashboards': read, 'Query.dashboard': read, 'Query.pinnedDashboard': read,
  'Query.billVarianceThreshold': read, 'Query.billVarianceAlerts': read, 'Query.costPools': read, 'Query.economics': read,
  'Query.alertRules': read, 'Query.notifications': read, 'Query.unreadNotifications': read,

  'Mutation.createBudget': { permission: 'budgets:manage', audit: budgets },
  'Mutation.updateBudget': { permission: 'budgets:manage', audit: budgets },
  'Mutation.pauseBudget': { permission: 'budgets:manage', audit: budgets },
  'Mutation.resumeBudget': { permission: 'budgets:manage', audit: budgets },
  'Mutation.deleteBudget': { permission: 'budgets:manage', audit: budgets },
  // Alert rules are kept by those who keep budgets (analysts too); each person marks their own notifications read.
  'Mutation.createAlertRule': { permission: 'budgets:manage', audit: alertRules },
  'Mutation.updateAlertRule': { permission: 'budgets:manage', audit: alertRules },
  'Mutation.deleteAlertRule': { permission: 'budgets:manage', audit: alertRules },
  'Mutation.markNotificationsRead': { permission: 'usage:read' },
  'Mutation.createAlertChannel': { permission: 'channels:manage', audit: channels },
  'Mutation.deleteAlertChannel': { permission: 'channels:manage', audit: channels },
  'Mutation.replayDeadLetters': { permission: 'deadletters:manage', audit: { targetType: 'dead_letters' } },
  'Mutation.createEmbedToken': { permission: 'embeds:manage', audit: embeds },
  'Mutation.revokeEmbedToken': { permission: 'embeds:manage', audit: embeds },
  'Mutation.saveView': { permission: 'views:manage', audit: savedViews },
  'Mutation.updateView': { permission: 'views:manage', audit: savedViews },
  'Mutation.deleteView': { permission: 'views:manage', audit: savedViews },
  'Mutation.createDashboard': { permission: 'views:manage', audit: dashboards },
  'Mutation.updateDashboard': { permission: 'views:manage', audit: dashboards },
  'Mutation.deleteDashboard': { permission: 'views:manage', audit: dashboards },
  'Mutation.pinDashboard': { permission: 'views:manage', audit: dashboards },
  // Its target is the new token (the argument is dashboardId, not id).
  'Mutation.createDashboardEmbedToken': { permission: 'embeds:manage', audit: embeds },
  'Mutation.createExport': { permission: 'exports:run', restricted: true },
  'Mutation.upsertPlan': { permission: 'work:write' },
  'Mutation.upsertTask': { permission: 'work:write' },
  'Mutation.upsertWorkItem': { permission: 'work:write' },
  'Mutation.repriceEvents': { permission: 'repricing:manage', audit: { targetType: 'repricing', table: 'repricings' } },
  'Mutation.acknowledgeAnomaly': { permission: 'anomalies:triage', audit: anomalies },
  'Mutation.dismissAnomaly': { permission: 'anomalies:triage', audit: anomalies },
  'Mutation.reopenAnomaly': { permission: 'anomalies:triage', audit: anomalies },
  'Mutation.detectAnomalies': { permission: 'workspace:manage', audit: { targetType: 'anomaly_detection' } },
  'Mutation.setRawRetention': { permission: 'retention:manage', audit: { targetType: 'workspace', table: 'workspaces', idColumn: 'workspace' } },
  'Mutation.setMyDeveloperIds': { permission: 'self', restricted: true },
  'Mutation.inviteMember': { permission: 'members:manage', audit: invitations },
  'Mutation.revokeInvitation': { permission: 'members:manage', audit: invitations },
  'Mutation.changeMemberRole': { permission: 'members:manage', audit: members },
  'Mutation.removeMember': { permission: 'members:manage', audit: members },
  'Mutation.createApiKey': { permission: 'keys:manage', audit: keys },
  'Mutation.revokeApiKey': { permission: 'keys:manage', audit: keys },
  'Mutation.rotateApiKey': { permission: 'keys:manage', audit: keys },
  'Mutation.setSsoConnection': { permission: 'sso:manage', audit: sso },
  'Mutation.deleteSsoConnection': { permission: 'sso:manage', audit: sso },
  'Mutation.updateWorkspace': { permission: 'workspace:manage', audit: { targetType: 'workspace', table: 'workspaces', idColumn: 'workspace' } },
  'Mutation.createCostPool': { permission: 'economics:manage', audit: costPools },
  'Mutation.deleteCostPool': { permission: 'economics:manage', audit: costPools },
  'Mutation.importCostPools': { permission: 'economics:manage', audit: { targetType: 'cost_pool' } },
  'Mutation.setAllocationRule': { permission: 'economics:manage', audit: { targetType: 'allocation_rule', table: 'allocation_rules', idColumn: 'pool_id', idArg: 'poolId' } },
  'Mutation.setBillVarianceThreshold': { permission: 'workspace:manage', audit: { targetType: 'workspace', table: 'workspaces', idColumn: 'workspace' } },
  // Rates are the deployment's (public ECB figures); an import only adds days (docs/decisions/0023-currencies.md).
  'Mutation.importFxRates': { permission: 'workspace:manage', audit: { targetType: 'fx_rates' } },
};
