// Budgets, alert channels, BudgetThresholdCrossed events and the guard check.
// Budgets are evaluated, and changes checked, by @spendgraph/budgets; here they
// are stored and shown. A change is evaluated at once, so the answer shows its standing.
import { now as clockNow } from '@spendgraph/periods/clock';
import { GraphQLError } from 'graphql';
import {
  type Budget, type BudgetStatus, type Pool, type PoolClient, deleteAlertChannel, deleteBudget, insertAlertChannel, insertBudget,
  listAlertChannels, listAlerts, coveringBudgets, getOrganizationalBudget, listDeliveries, budgetStatuses, setBudgetPaused, updateBudget, type AlertChannel,
  type BudgetAlert, type ApiKeyScope, type Role, workspacesIn,
} from '@spendgraph/db';
import { budgetVisible, organizationSetAccess, readableWorkspaces } from '../authz.ts';
import {
  type EgressPolicy, type EvaluationResult, RuleError, evaluateBudgets, newAlertChannel, newBudgetFields, scopeWarnings, standing,
  updatedBudgetFields,
} from '@spendgraph/budgets';
import type { SemanticLayer } from '@spendgraph/semantic';
import { DEFAULT_LISTED, GuardContextError, MAX_LISTED, check, parseContext, presentDecision, scopableDimensionsOnce } from '../guard/check.ts';
import type { GuardCache } from '../guard/guard-cache.ts';
import { afterCommit, changeDb } from '../audit.ts';
import { argumentError } from '../query/errors.ts';
import { reportingCurrency } from '../query/reporting-currency.ts';

export interface BudgetDeps {
  pool: Pool;
  semantic: SemanticLayer;
  guard: GuardCache;
  /** Queues the deliveries of new alerts and tells every API process the workspace changed. */
  announce: (result: EvaluationResult) => Promise<void>;
  /** Internal destinations channels may name (ALERT_EGRESS_ALLOW); the worker enforces it again at send time. */
  egress: EgressPolicy;
}

export interface BudgetContext {
  workspaceId: string;
  /** The audited change's transaction (graphql/authorize.ts). */
  db?: PoolClient;
  restriction?: Readonly<Record<string, string>>;
  /** Who asks: an organization budget needs budgets:manage in every workspace it covers (authz.ts). */
  scopes?: string[];
  userId?: string;
  role?: Role;
}

type Args<T> = { input: T };
const caller = (c: BudgetContext) => ({ workspaceId: c.workspaceId, scopes: (c.scopes ?? []) as ApiKeyScope[], userId: c.userId, role: c.role });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkId(id: string, field = 'id') {
  if (!UUID.test(id)) throw argumentError('INVALID_ARGUMENT', field, `'${id}' is not a budget id`);
}

function notFound(what: string, id: string): never {
  throw new GraphQLError(`no ${what} ${id} in this workspace`, { extensions: { code: 'NOT_FOUND', field: 'id' } });
}

/** The budget with its standing, as the Budget type shows it. */
export function present(b: Budget, status: BudgetStatus | undefined, now = clockNow()) {
  const s = standing(b, status, now);
  return {
    ...b,
    state: s.state,
    spend: s.spend.toFixed(),
    remaining: s.remaining.toFixed(),
    percentUsed: s.percentUsed,
    blocking: s.blocking,
    outlook: s.outlook,
    atRisk: s.atRisk,
    projectedSpend: s.current ? (status?.projectedSpend ?? null) : null,
    projectedCrossingAt: s.current ? (status?.projectedCrossingAt ?? null) : null,
    periodStart: status?.periodStart ?? null,
    periodEnd: status?.periodEnd ?? null,
    evaluatedAt: status?.asOf ?? null,
  };
}

/** Applies a rule of @spendgraph/budgets to the `input` argument; a broken rule names its field. */
function ruled<T>(apply: () => T): T {
  try {
    return apply();
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    throw argumentError(e.code, `input.${e.field}`, e.reason, e.issues ? { issues: e.issues } : {});
  }
}

/** Budgets themselves changed in these workspaces: every guard cache reads them again. */
const changed = (workspaces: string[]): EvaluationResult => ({ budgets: 0, alerts: 0, deliveryIds: [], workspaces, statuses: [] });

const presentAlert = (a: BudgetAlert) => ({ ...a, limit: a.amount });
const presentChannel = (c: AlertChannel, withSecret = false) => ({ ...c, secret: withSecret ? c.secret : null });

/** Budgets with their standing (kept in each one's home workspace), those the caller may see (budgetVisible). */
export async function presentVisible(pool: Pool, c: BudgetContext, budgets: Budget[]) {
  const readable = budgets.some((b) => b.organization) ? await readableWorkspaces(pool, caller(c)) : new Set<string>();
  const visible = budgets.filter((b) => budgetVisible(b, readable));
  const homes = [...new Set(visible.map((b) => b.workspaceId))];
  const statuses = new Map((await Promise.all(homes.map((w) => budgetStatuses(pool, w)))).flat().map((s) => [s.budgetId, s]));
  return visible.map((b) => present(b, statuses.get(b.id)));
}

/**
 * An organization budget sums its workspaces' spend, each in its own reporting currency: they must
 * all be the budget's (a sum across currencies would mean nothing). Refused naming the field.
 */
async function oneCurrency(pool: Pool, scope: { id: string; workspaceIds: string[] | null }, currency: string) {
  const { rows } = await pool.query<{ slug: string; currency: string }>(
    `SELECT slug, currency FROM workspaces WHERE organization_id = $1 AND ($2::uuid[] IS NULL OR id = ANY ($2)) AND currency <> $3 ORDER BY slug LIMIT 5`,
    [scope.id, scope.workspaceIds, currency]);
  if (rows.length) {
    throw argumentError('INVALID_ARGUMENT', 'input.organization.workspaces',
      `an organization budget adds up workspaces in one reporting currency (${currency}); ${rows.map((r) => `${r.slug} reports in ${r.currency}`).join(', ')}`);
  }
}


export function budgetResolvers(deps: BudgetDeps) {
  const dimensions = scopableDimensionsOnce(deps.semantic);

  async function statusOf(workspaceId: string, budgetId: string) {
    return (await budgetStatuses(deps.pool, workspaceId)).find((s) => s.budgetId === budgetId);
  }

  const shown = (c: BudgetContext, budgets: Budget[]) => presentVisible(deps.pool, c, budgets);

  /**
   * Evaluates the budget now and shows it; every API process's guard learns the new standing.
   * The budget itself changed, so the announcement carries no statuses: every guard cache reads
   * the workspace's budgets again.
   */
  async function evaluated(b: Budget) {
    if (!b.paused) await deps.announce({ ...(await evaluateBudgets(deps, { workspaceId: b.workspaceId, budgetIds: [b.id] })), statuses: [] });
    else await deps.announce(changed(b.coveredWorkspaceIds));
    await Promise.all(b.coveredWorkspaceIds.map((w) => deps.guard.reload(w)));
    return present(b, await statusOf(b.workspaceId, b.id));
  }

  /**
   * The workspaces an organization budget covers (null: all), as ids, if the caller may manage
   * budgets in each of them (authz.ts decides); a refusal names the field.
   */
  async function organizationScope(c: BudgetContext, named: readonly string[] | null, field: string) {
    const access = await organizationSetAccess(deps.pool, caller(c), 'budgets:manage', named);
    if ('refusal' in access) throw new GraphQLError(access.refusal, { extensions: { code: 'FORBIDDEN', field } });
    return { id: access.organizationId, workspaceIds: named === null ? null : access.workspaceIds };
  }

  /**
   * A budget of the workspace or an organization budget of its organization (changes go to its home,
   * b.workspaceId); an organization budget only for those who may manage budgets wherever it reaches.
   */
  async function existing(c: BudgetContext, id: string) {
    checkId(id);
    const b = (await getOrganizationalBudget(changeDb(deps.pool, c), c.workspaceId, id)) ?? notFound('budget', id);
    if (b.organization) await organizationScope(c, b.organization.workspaceIds, 'id');
    return b;
  }

  /** A changed budget answers with its standing, evaluated once the change is committed. */
  const answer = (b: Budget | undefined, id: string) => (b ? afterCommit(b, () => evaluated(b)) : notFound('budget', id));

  return {
    Query: {
      budgets: async (_: unknown, __: unknown, c: BudgetContext) => shown(c, await coveringBudgets(deps.pool, c.workspaceId)),
      budget: async (_: unknown, { id }: { id: string }, c: BudgetContext) => {
        checkId(id);
        const b = await getOrganizationalBudget(deps.pool, c.workspaceId, id);
        return b ? (await shown(c, [b]))[0] ?? null : null;
      },
      budgetAlerts: async (_: unknown, a: { budgetId?: string; since?: string; first?: number }, c: BudgetContext) => {
        if (a.budgetId) checkId(a.budgetId, 'budgetId');
        if (a.since && Number.isNaN(Date.parse(a.since))) throw argumentError('INVALID_ARGUMENT', 'since', `'${a.since}' is not an ISO time`);
        const first = a.first ?? 100;
        if (first < 1 || first > 1000) throw argumentError('INVALID_ARGUMENT', 'first', 'must be between 1 and 1000');
        return (await listAlerts(deps.pool, c.workspaceId, { budgetId: a.budgetId, since: a.since, first })).map(presentAlert);
      },
      alertChannels: async (_: unknown, __: unknown, c: BudgetContext) => (await listAlertChannels(deps.pool, c.workspaceId)).map((ch) => presentChannel(ch)),
      guardCheck: async (_: unknown, { context, limit }: { context: Array<{ dimension: string; value: string }>; limit?: number }, c: BudgetContext) => {
        const listed = limit ?? DEFAULT_LISTED;
        if (listed < 0 || listed > MAX_LISTED) throw argumentError('INVALID_ARGUMENT', 'limit', `must be from 0 to ${MAX_LISTED}`);
        try {
          const parsed = parseContext(context.map((p) => [p.dimension, p.value]), dimensions(), (i) => `context[${i}].dimension`);
          return presentDecision(await check(deps.guard, c, parsed), listed);
        } catch (e) {
          if (e instanceof GuardContextError) throw argumentError(e.code, e.field, e.message.slice(e.field.length + 2));
          throw e;
        }
      },
    },
    Mutation: {
      createBudget: async (_: unknown, { input: { organization, ...input } }: Args<Record<string, unknown>>, c: BudgetContext) => {
        input.currency = await reportingCurrency(deps.pool, c.workspaceId, input.currency, 'input.currency', 'budgets are');
        const fields = ruled(() => newBudgetFields(input, dimensions()));
        const named = (organization as { workspaces?: string[] | null } | null | undefined);
        const scope = named ? await organizationScope(c, named.workspaces ?? null, 'input.organization.workspaces') : null;
        if (scope) await oneCurrency(deps.pool, scope, input.currency as string);
        const b = await insertBudget(changeDb(deps.pool, c), c.workspaceId, { ...fields, organization: scope });
        return answer(b, b.id);
      },
      updateBudget: async (_: unknown, { id, input }: { id: string; input: Record<string, unknown> }, c: BudgetContext) => {
        const b = await existing(c, id);
        if (input.currency != null) await reportingCurrency(deps.pool, c.workspaceId, input.currency, 'input.currency', 'budgets are');
        const fields = ruled(() => updatedBudgetFields(b, input, dimensions()));
        return answer(await updateBudget(changeDb(deps.pool, c), b.workspaceId, id, fields), id);
      },
      pauseBudget: async (_: unknown, { id }: { id: string }, c: BudgetContext) => {
        const b = await existing(c, id);
        return answer(await setBudgetPaused(changeDb(deps.pool, c), b.workspaceId, id, true), id);
      },
      resumeBudget: async (_: unknown, { id }: { id: string }, c: BudgetContext) => {
        const b = await existing(c, id);
        return answer(await setBudgetPaused(changeDb(deps.pool, c), b.workspaceId, id, false), id);
      },
      deleteBudget: async (_: unknown, { id }: { id: string }, c: BudgetContext) => {
        checkId(id);
        const b = await getOrganizationalBudget(changeDb(deps.pool, c), c.workspaceId, id);
        if (b?.organization) await organizationScope(c, b.organization.workspaceIds, 'id');
        const deleted = await deleteBudget(changeDb(deps.pool, c), b?.workspaceId ?? c.workspaceId, id);
        const workspaces = b?.coveredWorkspaceIds ?? [c.workspaceId];
        return afterCommit({ id }, async () => {
          if (deleted) {
            await deps.announce(changed(workspaces));
            await Promise.all(workspaces.map((w) => deps.guard.reload(w)));
          }
          return deleted;
        });
      },
      createAlertChannel: async (_: unknown, args: Args<Record<string, unknown>>, c: BudgetContext) => {
        const channel = ruled(() => newAlertChannel(args.input, deps.egress));
        if (channel.budgetId) await existing(c, channel.budgetId);
        return presentChannel(await insertAlertChannel(changeDb(deps.pool, c), c.workspaceId, channel), true);
      },
      deleteAlertChannel: async (_: unknown, { id }: { id: string }, c: BudgetContext) => {
        checkId(id);
        return deleteAlertChannel(changeDb(deps.pool, c), c.workspaceId, id);
      },
    },
    Budget: {
      organization: async (b: Budget) => {
        if (!b.organization) return null;
        const slugs = new Map((await workspacesIn(deps.pool, b.organization.id)).map((w) => [w.id, w.slug]));
        return {
          all: b.organization.workspaceIds === null, workspaceCount: b.coveredWorkspaceIds.length,
          workspaces: b.coveredWorkspaceIds.map((id) => slugs.get(id)!).sort(), home: slugs.get(b.workspaceId)!,
        };
      },
      // Read only when asked for (the budget page, create and update answers): it queries the events.
      scopeWarnings: (b: Budget) => scopeWarnings(deps.semantic, b.workspaceId, b.scope),
      alerts: async (b: Budget, { first }: { first?: number }) =>
        (await listAlerts(deps.pool, b.workspaceId, { budgetId: b.id, first: Math.min(Math.max(first ?? 20, 1), 1000) })).map(presentAlert),
    },
    BudgetThresholdCrossed: {
      deliveries: (a: BudgetAlert) => listDeliveries(deps.pool, a.workspaceId, [a.id]),
    },
  };
}
