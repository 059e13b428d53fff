// Alert rules (CRUD, validated with zod; a refusal names the field) and the workspace's
// notifications with the caller's read marks. The worker evaluates the rules
// (apps/worker/src/processors/evaluate-alert-rules.ts).
import { z } from 'zod';
import {
  type AlertRule, type AlertRuleInput, type Notification, type Pool, type PoolClient, UnknownChannelError, deleteAlertRule, insertAlertRule,
  listAlertRules, listNotifications, markNotificationsRead, unreadNotificationCount, updateAlertRule,
} from '@spendgraph/db';
import { type SemanticLayer, USAGE_VIEW } from '@spendgraph/semantic';
import { changeDb } from '../audit.ts';
import { argumentError } from '../query/errors.ts';
import { shortName } from '../query/query-args.ts';

interface Ctx { workspaceId: string; keyId: string | null; userId?: string; db?: PoolClient }

const UUID = z.uuid('is not an id');
const DECIMAL = z.string().regex(/^-?\d{1,15}(\.\d{1,12})?$/, 'is not a decimal string (e.g. "25" or "0.05")');
const ANOMALY_KINDS = ['session', 'task'] as const;
const CAUSES = ['model_choice', 'context_size', 'subagents', 'retries', 'cache_misses', 'call_volume'] as const;
const OPTIONAL_TEXT = z.string().min(1).max(500).nullish();

const anomalyInput = z.object({
  minImpact: DECIMAL.refine((s) => Number(s) >= 0, 'must not be negative'),
  anomalyKind: z.enum(ANOMALY_KINDS).nullish(),
  peerValue: OPTIONAL_TEXT,
  likelyCause: z.enum(CAUSES).nullish(),
});

const filterInput = z.object({ member: z.string().min(1), operator: z.string().min(1), values: z.array(z.string().max(500)).max(100).nullish() });

const metricInput = z.object({
  measure: z.string().min(1),
  dimension: z.string().min(1).nullish(),
  filters: z.array(filterInput).max(20).nullish(),
  window: z.enum(['day', 'hour']),
  comparison: z.enum(['gt', 'lt']),
  threshold: DECIMAL,
});

const ruleInput = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  kind: z.enum(['anomaly', 'metric']),
  enabled: z.boolean().nullish(),
  channelIds: z.array(UUID).max(20).nullish(),
  anomaly: anomalyInput.nullish(),
  metric: metricInput.nullish(),
}).superRefine((r, ctx) => {
  if (!r[r.kind]) ctx.addIssue({ code: 'custom', path: [r.kind], message: `is required for a rule of kind ${r.kind}` });
  const other = r.kind === 'anomaly' ? 'metric' : 'anomaly';
  if (r[other]) ctx.addIssue({ code: 'custom', path: [other], message: `goes only with kind ${other}` });
});

/** Parses the input; the first problem names its field (`input.metric.threshold`). */
function parseRule(input: unknown): z.infer<typeof ruleInput> {
  const parsed = ruleInput.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw argumentError('INVALID_ARGUMENT', ['input', ...issue.path].join('.'), issue.message);
}

/** The usage view's public measures and (non-time) dimensions, by short name. */
function members(semantic: SemanticLayer) {
  const view = semantic.meta().views.find((v) => v.name === USAGE_VIEW)!;
  return {
    measures: new Set(view.measures.map((m) => shortName(m.name))),
    dimensions: new Set(view.dimensions.filter((d) => d.type !== 'time').map((d) => shortName(d.name))),
  };
}

function checkMembers(semantic: SemanticLayer, m: z.infer<typeof metricInput>) {
  const known = members(semantic);
  if (!known.measures.has(m.measure)) throw argumentError('UNKNOWN_MEMBER', 'input.metric.measure', `'${m.measure}' is not a measure of the usage view`);
  if (m.dimension && !known.dimensions.has(m.dimension)) {
    throw argumentError('UNKNOWN_MEMBER', 'input.metric.dimension', `'${m.dimension}' is not a dimension of the usage view`);
  }
  (m.filters ?? []).forEach((f, i) => {
    if (!known.dimensions.has(f.member)) throw argumentError('UNKNOWN_MEMBER', `input.metric.filters.${i}.member`, `'${f.member}' is not a dimension of the usage view`);
    if (!['set', 'notSet'].includes(f.operator) && !f.values?.length) throw argumentError('INVALID_ARGUMENT', `input.metric.filters.${i}.values`, `operator ${f.operator} needs values`);
  });
}

function toRuleInput(semantic: SemanticLayer, input: unknown): AlertRuleInput {
  const r = parseRule(input);
  const base = { name: r.name, enabled: r.enabled ?? true, channelIds: r.channelIds ?? [] };
  if (r.kind === 'anomaly') {
    const a = r.anomaly!;
    return { ...base, kind: 'anomaly', condition: { minImpact: a.minImpact, anomalyKind: a.anomalyKind ?? null, peerValue: a.peerValue ?? null, likelyCause: a.likelyCause ?? null } };
  }
  const m = r.metric!;
  checkMembers(semantic, m);
  return {
    ...base, kind: 'metric',
    condition: { measure: m.measure, dimension: m.dimension ?? null, filters: (m.filters ?? []).map((f) => ({ member: f.member, operator: f.operator, values: f.values ?? null })), window: m.window, comparison: m.comparison, threshold: m.threshold },
  };
}

function checkId(id: string, field = 'id') {
  if (!UUID.safeParse(id).success) throw argumentError('INVALID_ARGUMENT', field, `'${id}' is not an id`);
}

/** Unknown channels are the caller's mistake: named as the field. */
async function withChannels<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof UnknownChannelError) throw argumentError('NOT_FOUND', 'input.channelIds', e.message);
    throw e;
  }
}

const present = (r: AlertRule) => ({
  ...r, anomaly: r.kind === 'anomaly' ? r.condition : null, metric: r.kind === 'metric' ? r.condition : null,
});

/** Read marks are a person's; an API key without one keeps its own. */
const reader = (c: Ctx) => (c.userId ? `user:${c.userId}` : `key:${c.keyId ?? 'none'}`);

export function alertRuleResolvers(deps: { pool: Pool; semantic: SemanticLayer }) {
  return {
    Query: {
      alertRules: async (_: unknown, _a: unknown, c: Ctx) => (await listAlertRules(deps.pool, c.workspaceId)).map(present),
      notifications: (_: unknown, a: { first?: number | null; unreadOnly?: boolean | null }, c: Ctx) => {
        if (a.first != null && (a.first < 1 || a.first > 500)) throw argumentError('INVALID_ARGUMENT', 'first', 'must be between 1 and 500');
        return listNotifications(deps.pool, c.workspaceId, reader(c), { first: a.first ?? 50, unreadOnly: a.unreadOnly ?? false });
      },
      unreadNotifications: (_: unknown, _a: unknown, c: Ctx) => unreadNotificationCount(deps.pool, c.workspaceId, reader(c)),
    },
    Mutation: {
      createAlertRule: async (_: unknown, { input }: { input: unknown }, c: Ctx) => {
        const rule = toRuleInput(deps.semantic, input);
        return present(await withChannels(() => insertAlertRule(changeDb(deps.pool, c), c.workspaceId, rule)));
      },
      updateAlertRule: async (_: unknown, { id, input }: { id: string; input: unknown }, c: Ctx) => {
        checkId(id);
        const rule = toRuleInput(deps.semantic, input);
        const updated = await withChannels(() => updateAlertRule(changeDb(deps.pool, c), c.workspaceId, id, rule));
        if (!updated) throw argumentError('NOT_FOUND', 'id', `no alert rule ${id} in this workspace`);
        return present(updated);
      },
      deleteAlertRule: (_: unknown, { id }: { id: string }, c: Ctx) => {
        checkId(id);
        return deleteAlertRule(changeDb(deps.pool, c), c.workspaceId, id);
      },
      markNotificationsRead: (_: unknown, { ids }: { ids?: string[] | null }, c: Ctx) => {
        ids?.forEach((id, i) => checkId(id, `ids.${i}`));
        return markNotificationsRead(deps.pool, c.workspaceId, reader(c), ids ?? null);
      },
    },
    Notification: {
      anomalyId: (n: Notification) => (typeof n.detail.anomalyId === 'string' ? n.detail.anomalyId : null),
      anomalySubject: (n: Notification) => (typeof n.detail.subjectId === 'string' ? n.detail.subjectId : null),
    },
  };
}
