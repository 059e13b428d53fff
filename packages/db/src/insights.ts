// Anomalies, stored reports and report deliveries. Every read and write names the workspace.
import { type AlertChannel, getAlertChannel } from './budgets.ts';
import type { Pool, PoolClient } from './pool.ts';
import { type Delivery, getDelivery, listDeliveriesOf } from './deliveries.ts';

type Db = Pool | PoolClient;
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export type AnomalyKind = 'session' | 'task';

export interface AnomalyEvidence {
  metric: string;
  /** Decimal strings: the subject's value and its peer group's median. */
  value: string;
  peerMedian: string;
}

export interface AnomalyCause {
  cause: 'model_choice' | 'context_size' | 'subagents' | 'retries' | 'cache_misses' | 'call_volume';
  /** How far beyond its peers the subject is on this cause (higher is stronger); causes are sorted by it. */
  score: number;
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

export interface Anomaly extends NewAnomaly {
  id: string;
  detectedAt: string;
  updatedAt: string;
}

const ANOMALY_COLUMNS = `id, workspace_id, kind, subject_id, peer_dimension, peer_value, peer_count, window_start, window_end,
  timezone, currency, cost::text AS cost, peer_median::text AS peer_median, ratio::text AS ratio, threshold::text AS threshold,
  causes, detected_at, updated_at`;

function toAnomaly(r: any): Anomaly {
  return {
    id: r.id, workspaceId: r.workspace_id, kind: r.kind, subjectId: r.subject_id, peerDimension: r.peer_dimension,
    peerValue: r.peer_value, peerCount: r.peer_count, windowStart: iso(r.window_start)!, windowEnd: iso(r.window_end)!,
    timezone: r.timezone, currency: r.currency, cost: r.cost, peerMedian: r.peer_median, ratio: r.ratio, threshold: r.threshold,
    causes: r.causes, detectedAt: iso(r.detected_at)!, updatedAt: iso(r.updated_at)!,
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
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
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
    await client.query('COMMIT');
    return { inserted, removed: rowCount ?? 0 };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

export interface AnomalyFilter {
  kind?: AnomalyKind;
  subjectId?: string;
  /** Windows ending after `from` and starting before `to` (ISO times). */
  from?: string;
  to?: string;
  first?: number;
}

/** Anomalies of a workspace, newest window first, then the largest ratio. */
export async function listAnomalies(db: Db, workspaceId: string, f: AnomalyFilter = {}): Promise<Anomaly[]> {
  const { rows } = await db.query(
    `SELECT ${ANOMALY_COLUMNS} FROM anomalies
      WHERE workspace_id = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR subject_id = $3)
        AND ($4::timestamptz IS NULL OR window_end > $4) AND ($5::timestamptz IS NULL OR window_start < $5)
      ORDER BY window_start DESC, ratio DESC, kind, subject_id LIMIT $6`,
    [workspaceId, f.kind ?? null, f.subjectId ?? null, f.from ?? null, f.to ?? null, f.first ?? 100],
  );
  return rows.map(toAnomaly);
}

export async function getAnomaly(db: Db, workspaceId: string, id: string): Promise<Anomaly | undefined> {
  const { rows } = await db.query(`SELECT ${ANOMALY_COLUMNS} FROM anomalies WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && toAnomaly(rows[0]);
}

// ---------------------------------------------------------------------------
// Reports

export type ReportKind = 'morning';

export interface NewReport {
  workspaceId: string;
  kind: ReportKind;
  /** YYYY-MM-DD in `timezone`. */
  forDate: string;
  timezone: string;
  currency: string;
  markdown: string;
  figures: unknown;
}

export interface Report extends NewReport {
  id: string;
  createdAt: string;
}

const REPORT_COLUMNS = `id, workspace_id, kind, to_char(for_date, 'YYYY-MM-DD') AS for_date, timezone, currency, markdown, figures, created_at`;

function toReport(r: any): Report {
  return {
    id: r.id, workspaceId: r.workspace_id, kind: r.kind, forDate: r.for_date, timezone: r.timezone, currency: r.currency,
    markdown: r.markdown, figures: r.figures, createdAt: iso(r.created_at)!,
  };
}

/**
 * Stores a report and queues a delivery to each enabled workspace-wide channel
 * (channels of one budget get that budget's alerts only), in one transaction.
 * A report is written once per workspace, kind and date: a rerun of the job
 * returns the stored one and queues nothing new.
 */
export async function recordReport(pool: Pool, r: NewReport): Promise<{ report: Report; created: boolean; deliveryIds: string[] }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      `INSERT INTO reports (workspace_id, kind, for_date, timezone, currency, markdown, figures)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace_id, kind, for_date) DO NOTHING RETURNING ${REPORT_COLUMNS}`,
      [r.workspaceId, r.kind, r.forDate, r.timezone, r.currency, r.markdown, JSON.stringify(r.figures)],
    );
    if (!rows[0]) {
      await client.query('ROLLBACK');
      const existing = await client.query(
        `SELECT ${REPORT_COLUMNS} FROM reports WHERE workspace_id = $1 AND kind = $2 AND for_date = $3`,
        [r.workspaceId, r.kind, r.forDate],
      );
      return { report: toReport(existing.rows[0]), created: false, deliveryIds: [] };
    }
    const report = toReport(rows[0]);
    const deliveries = await client.query(
      `INSERT INTO report_deliveries (workspace_id, report_id, channel_id)
       SELECT $1, $2, id FROM alert_channels WHERE workspace_id = $1 AND enabled AND budget_id IS NULL
       RETURNING id`,
      [r.workspaceId, report.id],
    );
    await client.query('COMMIT');
    return { report, created: true, deliveryIds: deliveries.rows.map((d) => d.id) };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

export async function getReport(db: Db, workspaceId: string, id: string): Promise<Report | undefined> {
  const { rows } = await db.query(`SELECT ${REPORT_COLUMNS} FROM reports WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && toReport(rows[0]);
}

/** Reports of a workspace, newest date first; `from`/`to` are inclusive dates (YYYY-MM-DD). */
export async function listReports(
  db: Db,
  workspaceId: string,
  f: { kind?: ReportKind; from?: string; to?: string; first?: number } = {},
): Promise<Report[]> {
  const { rows } = await db.query(
    `SELECT ${REPORT_COLUMNS} FROM reports
      WHERE workspace_id = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::date IS NULL OR for_date >= $3) AND ($4::date IS NULL OR for_date <= $4)
      ORDER BY for_date DESC, kind, id LIMIT $5`,
    [workspaceId, f.kind ?? null, f.from ?? null, f.to ?? null, f.first ?? 30],
  );
  return rows.map(toReport);
}

// ---------------------------------------------------------------------------
// Report deliveries

export type ReportDelivery = Delivery;

export function listReportDeliveries(db: Db, workspaceId: string, reportIds: string[]): Promise<ReportDelivery[]> {
  return listDeliveriesOf(db, 'report_deliveries', workspaceId, reportIds);
}

/** A report delivery with what it carries, for the delivery job (which knows only the delivery id). */
export async function reportDeliveryToSend(db: Db, id: string): Promise<{ delivery: ReportDelivery; report: Report; channel: AlertChannel } | undefined> {
  const delivery = await getDelivery(db, 'report_deliveries', id);
  if (!delivery) return undefined;
  const [report, channel] = await Promise.all([
    getReport(db, delivery.workspaceId, delivery.parentId),
    getAlertChannel(db, delivery.workspaceId, delivery.channelId),
  ]);
  return report && channel ? { delivery, report, channel } : undefined;
}

/** Every workspace id (scheduled jobs fan out over them). */
export async function listWorkspaceIds(db: Db): Promise<string[]> {
  const { rows } = await db.query('SELECT id FROM workspaces ORDER BY id');
  return rows.map((r) => r.id);
}
