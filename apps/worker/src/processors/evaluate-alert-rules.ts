// Alert rules (issue 21): each enabled rule of every workspace (or of the job's one). A metric
// rule is one grouped query through the semantic layer — the explorer's figures — over the
// current UTC window and the one before (its last events may have come in since); a group whose
// value passes the threshold fires once per window. A rule "below" looks only at the window
// before, a whole one. An anomaly rule fires for each new anomaly it selects. Notifications and
// their deliveries are recorded in one transaction per rule, then queued.
import type { Queue } from 'bullmq';
import { Decimal } from 'decimal.js';
import type { Logger } from 'pino';
import {
  type AlertRule, type MetricCondition, type NewNotification, type Pool, type Recorded, enabledAlertRules, recordAnomalyNotifications, recordNotifications,
  withTransaction,
} from '@spendgraph/db';
import { now as clockNow } from '@spendgraph/periods/clock';
import { DELIVER_NOTIFICATION_JOB, type DeliveryJobData, type EvaluateAlertRulesJobData, type EvaluateAlertRulesResult, queueDeliveries } from '@spendgraph/queue';
import { type SemanticLayer, usageMember } from '@spendgraph/semantic';

export interface EvaluateAlertRulesDeps {
  pool: Pool;
  semantic: SemanticLayer;
  alerts: Queue<DeliveryJobData>;
  log: Logger;
  /** Re-queues notification deliveries whose job was lost; run with every scheduled (all-workspace) evaluation. */
  requeueStaleDeliveries?: () => Promise<number>;
}

const WINDOW_MS = { day: 86_400_000, hour: 3_600_000 } as const;
/** The most groups one rule reads per evaluation (a dimension with more values fires for the first ones, by value). */
const MAX_GROUPS = 10_000;

/** A local time for Cube's dateRange in UTC: `2026-12-01T00:00:00.000`. */
const local = (t: number) => new Date(t).toISOString().slice(0, 23);

/** The windows a metric rule looks at: [from, to) in ms. */
export function ruleWindows(c: Pick<MetricCondition, 'window' | 'comparison'>, at: Date): { from: number; to: number } {
  const size = WINDOW_MS[c.window];
  const current = Math.floor(at.getTime() / size) * size;
  return c.comparison === 'gt' ? { from: current - size, to: current + size } : { from: current - size, to: current };
}

const passes = (c: MetricCondition, value: Decimal) => (c.comparison === 'gt' ? value.greaterThan(c.threshold) : value.lessThan(c.threshold));

function title(rule: AlertRule, c: MetricCondition, group: string, value: string, windowStart: number): string {
  const of = c.dimension ? ` for ${c.dimension} ${group || '(none)'}` : '';
  const when = c.window === 'day' ? new Date(windowStart).toISOString().slice(0, 10) : `${new Date(windowStart).toISOString().slice(0, 13)}:00Z`;
  return `${rule.name}: ${c.measure} ${value} ${c.comparison === 'gt' ? '>' : '<'} ${c.threshold}${of} on ${when}`;
}

/** The groups × windows of a metric rule whose value passes its threshold. */
export async function metricFirings(semantic: SemanticLayer, rule: AlertRule & { kind: 'metric' }, at: Date): Promise<NewNotification[]> {
  const c = rule.condition;
  const { from, to } = ruleWindows(c, at);
  const measure = usageMember(c.measure);
  const dimension = c.dimension ? usageMember(c.dimension) : undefined;
  const { data } = await semantic.load({
    measures: [measure],
    dimensions: dimension ? [dimension] : [],
    timeDimensions: [{ dimension: usageMember('occurred_at'), granularity: c.window, dateRange: [local(from), local(to - 1)] }],
    filters: c.filters.map((f) => ({ member: usageMember(f.member), operator: f.operator, ...(f.values ? { values: f.values } : {}) })),
    order: [[measure, 'desc']],
    timezone: 'UTC',
    limit: MAX_GROUPS,
  }, { workspaceId: rule.workspaceId });
  const size = WINDOW_MS[c.window];
  const bucket = `${usageMember('occurred_at')}.${c.window}`;
  return data.flatMap((row) => {
    const raw = row[measure];
    if (raw === null || raw === undefined || !Number.isFinite(Number(raw))) return [];
    const value = new Decimal(String(raw));
    if (!passes(c, value)) return [];
    const start = Date.parse(`${String(row[bucket])}Z`);
    const group = dimension ? String(row[dimension] ?? '') : '';
    return [{
      workspaceId: rule.workspaceId, ruleId: rule.id, groupKey: group, windowStart: new Date(start).toISOString(),
      windowEnd: new Date(start + size).toISOString(), value: value.toFixed(), threshold: c.threshold,
      title: title(rule, c, group, value.toFixed(), start), detail: { measure: c.measure, dimension: c.dimension ?? null, window: c.window, comparison: c.comparison },
    }];
  });
}

async function evaluateRule(deps: EvaluateAlertRulesDeps, rule: AlertRule, at: Date): Promise<Recorded> {
  if (rule.kind === 'anomaly') return withTransaction(deps.pool, (tx) => recordAnomalyNotifications(tx, rule));
  const found = await metricFirings(deps.semantic, rule, at);
  return withTransaction(deps.pool, (tx) => recordNotifications(tx, found));
}

export async function evaluateAlertRules(deps: EvaluateAlertRulesDeps, d: EvaluateAlertRulesJobData, at: Date = clockNow()): Promise<EvaluateAlertRulesResult> {
  const rules = await enabledAlertRules(deps.pool, d.workspaceId);
  const result: EvaluateAlertRulesResult = { rules: rules.length, notifications: 0, deliveries: 0, failed: 0 };
  for (const rule of rules) {
    try {
      const recorded = await evaluateRule(deps, rule, at);
      await queueDeliveries(deps.alerts, recorded.deliveryIds, DELIVER_NOTIFICATION_JOB);
      result.notifications += recorded.notifications;
      result.deliveries += recorded.deliveryIds.length;
    } catch (err) {
      result.failed++;
      deps.log.warn({ ruleId: rule.id, workspaceId: rule.workspaceId, err: (err as Error).message }, 'alert rule could not be evaluated');
    }
  }
  if (!d.workspaceId) await deps.requeueStaleDeliveries?.();
  if (result.notifications) deps.log.info(result, 'alert rules fired');
  return result;
}

export function evaluateAlertRulesProcessor(deps: EvaluateAlertRulesDeps) {
  return (job: { data: EvaluateAlertRulesJobData | null | undefined }) => evaluateAlertRules(deps, job.data ?? {});
}
