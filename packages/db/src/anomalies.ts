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
    peerValue: r.peer_value, peerCount: r.peer_count, windowStart: iso(r.window_start), windowEnd: iso(r.window_end),
    timezone: r.timezone, currency: r.currency, cost: r.cost, peerMedian: r.peer_median, ratio: r.ratio, threshold: r.threshold,
    causes: r.causes, detectedAt: iso(r.detected_at), updatedAt: iso(r.updated_at),
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

export interface AnomalyFilter {
  kind?: AnomalyKind;
  subjectId?: string;
  /** Windows ending after `from` and starting before `to` (ISO times). */
  from?: string;
  to?: string;
  first?: number;
  /** Only those after this one in the list's order (a cursor: anomalyCursor of the last one read). */
  after?: AnomalyCursor;
}

/** An anomaly's place in the list's order. */
export interface AnomalyCursor {
  windowStart: string;
  ratio: string;
  kind: AnomalyKind;
  subjectId: string;
}

export const anomalyCursor = (a: Anomaly): AnomalyCursor => ({ windowStart: a.windowStart, ratio: a.ratio, kind: a.kind, subjectId: a.subjectId });

/** Anomalies of a workspace, newest window first, then the largest ratio (then kind and subject). */
export async function listAnomalies(db: Db, workspaceId: string, f: AnomalyFilter = {}): Promise<Anomaly[]> {
  const c = f.after;
  const { rows } = await db.query(
    `SELECT ${ANOMALY_COLUMNS} FROM anomalies
      WHERE workspace_id = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR subject_id = $3)
        AND ($4::timestamptz IS NULL OR window_end > $4) AND ($5::timestamptz IS NULL OR window_start < $5)
        AND ($7::timestamptz IS NULL OR window_start < $7 OR (window_start = $7 AND (ratio < $8::numeric
          OR (ratio = $8::numeric AND (kind > $9 OR (kind = $9 AND subject_id > $10))))))
      ORDER BY window_start DESC, ratio DESC, kind, subject_id LIMIT $6`,
    [workspaceId, f.kind ?? null, f.subjectId ?? null, f.from ?? null, f.to ?? null, f.first ?? 100,
      c?.windowStart ?? null, c?.ratio ?? null, c?.kind ?? null, c?.subjectId ?? null],
  );
  return rows.map(toAnomaly);
}

export async function getAnomaly(db: Db, workspaceId: string, id: string): Promise<Anomaly | undefined> {
  const { rows } = await db.query(`SELECT ${ANOMALY_COLUMNS} FROM anomalies WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && toAnomaly(rows[0]);
}
