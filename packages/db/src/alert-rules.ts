// Alert rules (issue 21) and the notifications they record: the in-app list with read marks per
// reader, and the deliveries to the rule's channels (the outbox, like budget alerts). Every read
// and write names the workspace. docs/decisions/0028-alert-rules-and-notifications.md.
import { type AlertChannel, getAlertChannel } from './alert-channels.ts';
import { type Delivery, getDelivery } from './deliveries.ts';
import { iso } from './iso.ts';
import type { Db, PoolClient } from './pool.ts';

/** New anomalies whose excess over their peers is at least `minImpact` (dollars), with optional subject filters. */
export interface AnomalyCondition {
  minImpact: string;
  anomalyKind?: 'session' | 'task' | null;
  /** The peer group (e.g. `bugfix x coder`). */
  peerValue?: string | null;
  /** The strongest cause (model_choice, retries, ...). */
  likelyCause?: string | null;
}

export interface RuleFilter { member: string; operator: string; values?: string[] | null }

/** A measure of the usage view, per `dimension` (or the whole scope), filtered, per UTC day or hour, compared with `threshold`. */
export interface MetricCondition {
  measure: string;
  dimension?: string | null;
  filters: RuleFilter[];
  window: 'day' | 'hour';
  comparison: 'gt' | 'lt';
  threshold: string;
}

interface RuleBase { id: string; workspaceId: string; name: string; channelIds: string[]; enabled: boolean; createdAt: string; updatedAt: string }
export type AlertRule = RuleBase & ({ kind: 'anomaly'; condition: AnomalyCondition } | { kind: 'metric'; condition: MetricCondition });
export type AlertRuleInput = Pick<AlertRule, 'name' | 'kind' | 'condition' | 'channelIds' | 'enabled'>;

const RULE_COLUMNS = 'id, workspace_id, name, kind, condition, channel_ids, enabled, created_at, updated_at';

function toRule(r: any): AlertRule {
  return {
    id: r.id, workspaceId: r.workspace_id, name: r.name, kind: r.kind, condition: r.condition, channelIds: r.channel_ids,
    enabled: r.enabled, createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!,
  };
}

/** Channels named by a rule must be the workspace's own: the ids of those that are not. */
async function foreignChannels(db: Db, workspaceId: string, ids: string[]): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT t.id FROM unnest($2::uuid[]) AS t(id) WHERE NOT EXISTS (SELECT 1 FROM alert_channels c WHERE c.id = t.id AND c.workspace_id = $1)`,
    [workspaceId, ids]);
  return rows.map((r) => r.id);
}

export class UnknownChannelError extends Error {
  readonly ids: string[];
  constructor(ids: string[]) {
    super(`no alert channel ${ids.join(', ')} in this workspace`);
    this.ids = ids;
  }
}

export async function insertAlertRule(db: Db, workspaceId: string, r: AlertRuleInput): Promise<AlertRule> {
  const foreign = await foreignChannels(db, workspaceId, r.channelIds);
  if (foreign.length) throw new UnknownChannelError(foreign);
  const { rows } = await db.query(
    `INSERT INTO alert_rules (workspace_id, name, kind, condition, channel_ids, enabled) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${RULE_COLUMNS}`,
    [workspaceId, r.name, r.kind, JSON.stringify(r.condition), r.channelIds, r.enabled]);
  return toRule(rows[0]);
}

export async function updateAlertRule(db: Db, workspaceId: string, id: string, r: AlertRuleInput): Promise<AlertRule | undefined> {
  const foreign = await foreignChannels(db, workspaceId, r.channelIds);
  if (foreign.length) throw new UnknownChannelError(foreign);
  const { rows } = await db.query(
    `UPDATE alert_rules SET name = $3, kind = $4, condition = $5, channel_ids = $6, enabled = $7, updated_at = now()
     WHERE workspace_id = $1 AND id = $2 RETURNING ${RULE_COLUMNS}`,
    [workspaceId, id, r.name, r.kind, JSON.stringify(r.condition), r.channelIds, r.enabled]);
  return rows[0] && toRule(rows[0]);
}

export async function deleteAlertRule(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM alert_rules WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}

export async function listAlertRules(db: Db, workspaceId: string): Promise<AlertRule[]> {
  const { rows } = await db.query(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE workspace_id = $1 ORDER BY created_at, id`, [workspaceId]);
  return rows.map(toRule);
}

/** The enabled rules of one workspace, or of every workspace (the schedule). */
export async function enabledAlertRules(db: Db, workspaceId?: string): Promise<AlertRule[]> {
  const { rows } = await db.query(
    `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE enabled AND ($1::uuid IS NULL OR workspace_id = $1) ORDER BY workspace_id, created_at, id`,
    [workspaceId ?? null]);
  return rows.map(toRule);
}

// ---------------------------------------------------------------------------
// Notifications

export interface Notification {
  id: string;
  workspaceId: string;
  ruleId: string;
  ruleName: string;
  groupKey: string;
  windowStart: string;
  windowEnd: string;
  value: string;
  threshold: string;
  title: string;
  detail: Record<string, unknown>;
  occurredAt: string;
  /** Whether the reader asking marked it read. */
  read: boolean;
}

export type NewNotification = Pick<Notification, 'workspaceId' | 'ruleId' | 'groupKey' | 'windowStart' | 'windowEnd' | 'value' | 'threshold' | 'title' | 'detail'>;

/** Inserts the notifications and their deliveries, the returned rows (with their deliveries' ids). */
const RECORD = (source: string) => `WITH fired AS (
    INSERT INTO notifications (workspace_id, rule_id, group_key, window_start, window_end, value, threshold, title, detail)
    ${source}
    ON CONFLICT (rule_id, group_key, window_start) DO NOTHING RETURNING id, workspace_id, rule_id),
  delivery AS (
    INSERT INTO notification_deliveries (workspace_id, notification_id, channel_id)
    SELECT fired.workspace_id, fired.id, c.id FROM fired JOIN alert_rules r ON r.id = fired.rule_id
      JOIN alert_channels c ON c.id = ANY (r.channel_ids) AND c.workspace_id = fired.workspace_id AND c.enabled
    RETURNING id)
  SELECT (SELECT count(*)::int FROM fired) AS notifications, ARRAY(SELECT id FROM delivery) AS delivery_ids`;

export interface Recorded { notifications: number; deliveryIds: string[] }

/**
 * Records notifications (a rule × group × window that already fired is skipped) and a delivery of
 * each to the rule's enabled channels, in the caller's transaction. Returns how many were new.
 */
export async function recordNotifications(tx: PoolClient, found: NewNotification[]): Promise<Recorded> {
  if (!found.length) return { notifications: 0, deliveryIds: [] };
  const rows = found.map((n) => ({
    workspace_id: n.workspaceId, rule_id: n.ruleId, group_key: n.groupKey, window_start: n.windowStart, window_end: n.windowEnd,
    value: n.value, threshold: n.threshold, title: n.title, detail: n.detail,
  }));
  const { rows: [out] } = await tx.query(RECORD(`SELECT * FROM jsonb_to_recordset($1::jsonb) AS s (workspace_id uuid, rule_id uuid,
      group_key text, window_start timestamptz, window_end timestamptz, value numeric, threshold numeric, title text, detail jsonb)`),
  [JSON.stringify(rows)]);
  return { notifications: out.notifications, deliveryIds: out.delivery_ids };
}

/**
 * An anomaly rule's notifications: every anomaly of the rule's workspace detected since the rule
 * was made, not dismissed, whose excess is at least the minimum and which the filters select. One
 * statement; an anomaly already notified is skipped.
 */
export async function recordAnomalyNotifications(tx: PoolClient, rule: AlertRule & { kind: 'anomaly' }): Promise<Recorded> {
  const c = rule.condition;
  const { rows: [out] } = await tx.query(RECORD(`
    SELECT a.workspace_id, $2::uuid, a.id::text, a.window_start, a.window_end, a.excess, $3::numeric,
      'Anomalous ' || a.kind || ' ' || a.subject_id || ': ' || a.currency || ' ' || round(a.excess, 2) || ' above its peers',
      jsonb_build_object('anomalyId', a.id, 'kind', a.kind, 'subjectId', a.subject_id, 'peerValue', a.peer_value, 'cost', a.cost::text,
        'peerMedian', a.peer_median::text, 'currency', a.currency, 'likelyCause', a.causes -> 0 ->> 'cause')
    FROM anomalies a
    WHERE a.workspace_id = $1 AND a.detected_at >= $4::timestamptz AND a.status <> 'dismissed' AND a.excess >= $3::numeric
      AND ($5::text IS NULL OR a.kind = $5) AND ($6::text IS NULL OR a.peer_value = $6) AND ($7::text IS NULL OR a.causes -> 0 ->> 'cause' = $7)`),
  [rule.workspaceId, rule.id, c.minImpact, rule.createdAt, c.anomalyKind ?? null, c.peerValue ?? null, c.likelyCause ?? null]);
  return { notifications: out.notifications, deliveryIds: out.delivery_ids };
}

const NOTIFICATION_COLUMNS = `n.id, n.workspace_id, n.rule_id, r.name AS rule_name, n.group_key, n.window_start, n.window_end, n.value::text AS value,
  n.threshold::text AS threshold, n.title, n.detail, n.occurred_at`;

function toNotification(r: any): Notification {
  return {
    id: r.id, workspaceId: r.workspace_id, ruleId: r.rule_id, ruleName: r.rule_name, groupKey: r.group_key, windowStart: iso(r.window_start)!,
    windowEnd: iso(r.window_end)!, value: r.value, threshold: r.threshold, title: r.title, detail: r.detail, occurredAt: iso(r.occurred_at)!,
    read: r.read ?? false,
  };
}

/** The workspace's notifications, newest first, with the reader's read marks. */
export async function listNotifications(db: Db, workspaceId: string, reader: string, f: { first?: number; unreadOnly?: boolean } = {}): Promise<Notification[]> {
  const { rows } = await db.query(
    `SELECT ${NOTIFICATION_COLUMNS}, (m.reader IS NOT NULL) AS read
       FROM notifications n JOIN alert_rules r ON r.id = n.rule_id
       LEFT JOIN notification_reads m ON m.notification_id = n.id AND m.reader = $2
      WHERE n.workspace_id = $1 AND (NOT $3 OR m.reader IS NULL)
      ORDER BY n.occurred_at DESC, n.id LIMIT $4`,
    [workspaceId, reader, f.unreadOnly ?? false, f.first ?? 50]);
  return rows.map(toNotification);
}

export async function unreadNotificationCount(db: Db, workspaceId: string, reader: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n FROM notifications n
      WHERE n.workspace_id = $1 AND NOT EXISTS (SELECT 1 FROM notification_reads m WHERE m.notification_id = n.id AND m.reader = $2)`,
    [workspaceId, reader]);
  return rows[0].n;
}

/** Marks notifications of the workspace read for the reader (`ids` null: all of them); how many were newly marked. */
export async function markNotificationsRead(db: Db, workspaceId: string, reader: string, ids: string[] | null): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO notification_reads (notification_id, reader)
     SELECT n.id, $2 FROM notifications n WHERE n.workspace_id = $1 AND ($3::uuid[] IS NULL OR n.id = ANY ($3))
     ON CONFLICT DO NOTHING`,
    [workspaceId, reader, ids]);
  return rowCount ?? 0;
}

/** A notification delivery with what it carries, for the delivery job. */
export async function notificationDeliveryToSend(db: Db, id: string): Promise<{ delivery: Delivery; notification: Notification; channel: AlertChannel } | undefined> {
  const delivery = await getDelivery(db, 'notification_deliveries', id);
  if (!delivery) return undefined;
  const [{ rows }, channel] = await Promise.all([
    db.query(`SELECT ${NOTIFICATION_COLUMNS} FROM notifications n JOIN alert_rules r ON r.id = n.rule_id WHERE n.id = $1`, [delivery.parentId]),
    getAlertChannel(db, delivery.workspaceId, delivery.channelId),
  ]);
  return rows[0] && channel ? { delivery, notification: toNotification(rows[0]), channel } : undefined;
}
