// Anomalies: sessions and tasks that cost far more than their peers, with the likely
// causes. Every read and write names the workspace.
import { iso } from './iso.ts';
import { type Db, type Pool, withTransaction } from './pool.ts';

export type AnomalyKind = 'session' | 'task';

export interface AnomalyEvidence {
  metric: string;
  /** Decimal strings: the subject's value and its peer group's median. */
  value: string;
  peerMedian: string;
}

export interface AnomalyCause {
  cause: 'model_choice' | 'context_size' | 'subagents' | 'retries' | 'cache_misses' | 'call_volume';
  /** The cause's share (0-1) of the excess over the peer median; causes are sorted by it. */
  score: number;
  /** The cause's dollars of that excess (decimal string); absent on anomalies recorded before causes were priced. */
  excess?: string;
  summary: string;
  evidence: AnomalyEvidence[];
}

export interface NewAnomaly {
  workspaceId: string;
  kind: AnomalyKind;
  subjectId: string;
  peerDimension: string;
  peerValue: string;
  peerCount: number;
  windowStart: string;
  windowEnd: string;
  timezone: string;
  currency: string;
  cost: string;
  peerMedian: string;
  ratio: string;
  threshold: string;
  causes: AnomalyCause[];
}

export interface AnomalyTriage {
  status: AnomalyStatus;
  /** When, and by whom (a person, else the API key), it was acknowledged or dismissed; null while open. */
  at: string | null;
  userId: string | null;
  keyId: string | null;
  /** The person's name or e-mail. */
  byName: string | null;
  note: string | null;
}

export interface Anomaly extends NewAnomaly {
  id: string;
  detectedAt: string;
  updatedAt: string;
  /** cost - peerMedian, computed by the database (decimal string). */
  excess: string;
  triage: AnomalyTriage;
}

const ANOMALY_COLUMNS = `id, workspace_id, kind, subject_id, peer_dimension, peer_value, peer_count, window_start, window_end,
  timezone, currency, cost::text AS cost, peer_median::text AS peer_median, ratio::text AS ratio, threshold::text AS threshold,
  causes, detected_at, updated_at, excess::text AS excess, status, status_at, status_by_user_id, status_by_key_id, status_note,
  (SELECT coalesce(u.name, u.email) FROM users u WHERE u.id = a.status_by_user_id) AS status_by_name`;

function toAnomaly(r: any): Anomaly {
  return {
    id: r.id, workspaceId: r.workspace_id, kind: r.kind, subjectId: r.subject_id, peerDimension: r.peer_dimension,
    peerValue: r.peer_value, peerCount: r.peer_count, windowStart: iso(r.window_start), windowEnd: iso(r.window_end),
    timezone: r.timezone, currency: r.currency, cost: r.cost, peerMedian: r.peer_median, ratio: r.ratio, threshold: r.threshold,
    causes: r.causes, detectedAt: iso(r.detected_at), updatedAt: iso(r.updated_at), excess: r.excess,
    triage: { status: r.status, at: r.status_at && iso(r.status_at), userId: r.status_by_user_id, keyId: r.status_by_key_id, byName: r.status_by_name, note: r.status_note },
  };
}

/**
 * Makes `found` the anomalies of one workspace, kind and window: new ones are
 * inserted, known ones get the latest figures (keeping when they were first
 * detected), and those no longer anomalous are removed. One transaction.
 */
export async function replaceAnomalies(
  pool: Pool,
  where: { workspaceId: string; kind: AnomalyKind; windowStart: string; windowEnd: string },
  found: NewAnomaly[],
): Promise<{ inserted: number; removed: number }> {
  return withTransaction(pool, async (client) => {
    let inserted = 0;
    for (const a of found) {
      const { rows } = await client.query(
        `INSERT INTO anomalies (workspace_id, kind, subject_id, peer_dimension, peer_value, peer_count, window_start, window_end,
           timezone, currency, cost, peer_median, ratio, threshold, causes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (workspace_id, kind, subject_id, window_start, window_end) DO UPDATE SET
           peer_dimension = EXCLUDED.peer_dimension, peer_value = EXCLUDED.peer_value, peer_count = EXCLUDED.peer_count,
           timezone = EXCLUDED.timezone, currency = EXCLUDED.currency, cost = EXCLUDED.cost, peer_median = EXCLUDED.peer_median,
           ratio = EXCLUDED.ratio, threshold = EXCLUDED.threshold, causes = EXCLUDED.causes, updated_at = now()
         RETURNING (xmax = 0) AS inserted`,
        [a.workspaceId, a.kind, a.subjectId, a.peerDimension, a.peerValue, a.peerCount, a.windowStart, a.windowEnd, a.timezone,
          a.currency, a.cost, a.peerMedian, a.ratio, a.threshold, JSON.stringify(a.causes)],
      );
      if (rows[0]?.inserted) inserted++;
    }
    const { rowCount } = await client.query(
      `DELETE FROM anomalies WHERE workspace_id = $1 AND kind = $2 AND window_start = $3 AND window_end = $4
         AND NOT (subject_id = ANY ($5))`,
      [where.workspaceId, where.kind, where.windowStart, where.windowEnd, found.map((a) => a.subjectId)],
    );
    return { inserted, removed: rowCount ?? 0 };
  });
}

export type AnomalyStatus = 'open' | 'acknowledged' | 'dismissed';
export const ANOMALY_STATUSES: readonly AnomalyStatus[] = ['open', 'acknowledged', 'dismissed'];

export interface AnomalyFilter {
  kind?: AnomalyKind;
  subjectId?: string;
  /** Windows ending after `from` and starting before `to` (ISO times). */
  from?: string;
  to?: string;
  /** Any of these triage states. */
  statuses?: AnomalyStatus[];
  /** The peer group's value (e.g. `bugfix x coder`). */
  peerValue?: string;
  /** The strongest cause. */
  likelyCause?: AnomalyCause['cause'];
}

export interface AnomalyPage extends AnomalyFilter {
  /** `recent`: newest window first, then the largest ratio; `impact`: the largest excess first. */
  order?: 'recent' | 'impact';
  first?: number;
  /** Only those after this one in the list's order (a cursor: anomalyCursor of the last one read). */
  after?: AnomalyCursor;
}

/** An anomaly's place in the list's order (`excess` and `id` place it in the impact order). */
export interface AnomalyCursor {
  windowStart: string;
  ratio: string;
  kind: AnomalyKind;
  subjectId: string;
  excess?: string;
  id?: string;
}

export const anomalyCursor = (a: Anomaly): AnomalyCursor =>
  ({ windowStart: a.windowStart, ratio: a.ratio, kind: a.kind, subjectId: a.subjectId, excess: a.excess, id: a.id });

/** The filter's WHERE clause over `anomalies`, its parameters from $2 on ($1 is the workspace). */
function filterSql(workspaceId: string, f: AnomalyFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [workspaceId];
  const parts = ['workspace_id = $1'];
  const add = (value: unknown, sql: (n: string) => string) => {
    if (value === undefined) return;
    params.push(value);
    parts.push(sql(`$${params.length}`));
  };
  add(f.kind, (n) => `kind = ${n}`);
  add(f.subjectId, (n) => `subject_id = ${n}`);
  add(f.from, (n) => `window_end > ${n}::timestamptz`);
  add(f.to, (n) => `window_start < ${n}::timestamptz`);
  add(f.statuses?.length ? f.statuses : undefined, (n) => `status = ANY (${n}::text[])`);
  add(f.peerValue, (n) => `peer_value = ${n}`);
  add(f.likelyCause, (n) => `causes -> 0 ->> 'cause' = ${n}`);
  return { where: parts.join(' AND '), params };
}

/** Where a page continues after its cursor, in the page's order. */
function afterSql(order: AnomalyPage['order'], c: AnomalyCursor, n: number): { sql: string; params: unknown[] } {
  if (order === 'impact') {
    if (c.excess === undefined || c.id === undefined) throw new RangeError('the cursor is not one of the impact order');
    return { sql: `(a.excess < $${n}::numeric OR (a.excess = $${n}::numeric AND a.id > $${n + 1}::uuid))`, params: [c.excess, c.id] };
  }
  return {
    sql: `(a.window_start < $${n} OR (a.window_start = $${n} AND (a.ratio < $${n + 1}::numeric
      OR (a.ratio = $${n + 1}::numeric AND (a.kind > $${n + 2} OR (a.kind = $${n + 2} AND a.subject_id > $${n + 3}))))))`,
    params: [c.windowStart, c.ratio, c.kind, c.subjectId],
  };
}

// Qualified: the bare names would sort by the selected text columns of the same names.
const ORDERS = { recent: 'a.window_start DESC, a.ratio DESC, a.kind, a.subject_id', impact: 'a.excess DESC, a.id' } as const;

/** Anomalies of a workspace in the page's order (default: newest window first, then the largest ratio, then kind and subject). */
export async function listAnomalies(db: Db, workspaceId: string, f: AnomalyPage = {}): Promise<Anomaly[]> {
  const { where, params } = filterSql(workspaceId, f);
  let sql = `SELECT ${ANOMALY_COLUMNS} FROM anomalies a WHERE ${where}`;
  if (f.after) {
    const after = afterSql(f.order, f.after, params.length + 1);
    sql += ` AND ${after.sql}`;
    params.push(...after.params);
  }
  params.push(f.first ?? 100);
  const { rows } = await db.query(`${sql} ORDER BY ${ORDERS[f.order ?? 'recent']} LIMIT $${params.length}`, params);
  return rows.map(toAnomaly);
}

export interface AnomalyTotals {
  count: number;
  /** Sums in the database (decimal strings). */
  cost: string;
  excess: string;
  byStatus: Record<AnomalyStatus, number>;
}

/** Count, cost and excess of every anomaly the filter selects (not one page). */
export async function anomalyTotals(db: Db, workspaceId: string, f: AnomalyFilter = {}): Promise<AnomalyTotals> {
  const { where, params } = filterSql(workspaceId, f);
  const { rows } = await db.query(
    `SELECT count(*)::int AS count, coalesce(sum(cost), 0)::text AS cost, coalesce(sum(excess), 0)::text AS excess,
       count(*) FILTER (WHERE status = 'open')::int AS open, count(*) FILTER (WHERE status = 'acknowledged')::int AS acknowledged,
       count(*) FILTER (WHERE status = 'dismissed')::int AS dismissed
     FROM anomalies WHERE ${where}`, params);
  const r = rows[0];
  return { count: r.count, cost: r.cost, excess: r.excess, byStatus: { open: r.open, acknowledged: r.acknowledged, dismissed: r.dismissed } };
}

/** What anomalies are grouped by: the session or task, the peer group, or the strongest cause. */
export type AnomalyGrouping = 'subject' | 'peer_group' | 'likely_cause';
const GROUP_KEYS: Record<AnomalyGrouping, string> = {
  subject: `kind || ':' || subject_id`, peer_group: 'peer_value', likely_cause: `coalesce(causes -> 0 ->> 'cause', '')`,
};

export interface AnomalyGroup {
  key: string;
  count: number;
  cost: string;
  excess: string;
  latestWindowStart: string;
}

/** The filter's anomalies grouped, the largest excess first (sums in the database). */
export async function groupAnomalies(db: Db, workspaceId: string, by: AnomalyGrouping, f: AnomalyFilter = {}, first = 100): Promise<AnomalyGroup[]> {
  const { where, params } = filterSql(workspaceId, f);
  params.push(first);
  const { rows } = await db.query(
    `SELECT ${GROUP_KEYS[by]} AS key, count(*)::int AS count, sum(cost)::text AS cost, sum(excess)::text AS excess, max(window_start) AS latest
     FROM anomalies WHERE ${where} GROUP BY 1 ORDER BY sum(excess) DESC, 1 LIMIT $${params.length}`, params);
  return rows.map((r) => ({ key: r.key, count: r.count, cost: r.cost, excess: r.excess, latestWindowStart: iso(r.latest) }));
}

/** Sets an anomaly's triage state, with who (a person, or a key) and when; undefined when the workspace has no such anomaly. */
export async function setAnomalyStatus(
  db: Db, workspaceId: string, id: string,
  s: { status: AnomalyStatus; userId: string | null; keyId: string | null; note: string | null; at: Date },
): Promise<Anomaly | undefined> {
  const open = s.status === 'open';
  const { rows } = await db.query(
    `UPDATE anomalies a SET status = $3, status_at = $4, status_by_user_id = $5, status_by_key_id = $6, status_note = $7
     WHERE workspace_id = $1 AND id = $2 RETURNING ${ANOMALY_COLUMNS}`,
    [workspaceId, id, s.status, open ? null : s.at, open ? null : s.userId, open ? null : s.keyId, open ? null : s.note],
  );
  return rows[0] && toAnomaly(rows[0]);
}

export async function getAnomaly(db: Db, workspaceId: string, id: string): Promise<Anomaly | undefined> {
  const { rows } = await db.query(`SELECT ${ANOMALY_COLUMNS} FROM anomalies a WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && toAnomaly(rows[0]);
}
