// Stored reports (the morning report) and their deliveries. Every read and write names the workspace.
import { type AlertChannel, getAlertChannel } from './alert-channels.ts';
import { type Delivery, getDelivery, listDeliveriesOf } from './deliveries.ts';
import { iso } from './iso.ts';
import { type Db, type Pool, withTransaction } from './pool.ts';

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
    markdown: r.markdown, figures: r.figures, createdAt: iso(r.created_at),
  };
}

/**
 * Stores a report and queues a delivery to each enabled workspace-wide channel
 * (channels of one budget get that budget's alerts only), in one transaction.
 * A report is written once per workspace, kind and date: a rerun of the job
 * returns the stored one and queues nothing new.
 */
export async function recordReport(pool: Pool, r: NewReport): Promise<{ report: Report; created: boolean; deliveryIds: string[] }> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `INSERT INTO reports (workspace_id, kind, for_date, timezone, currency, markdown, figures)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace_id, kind, for_date) DO NOTHING RETURNING ${REPORT_COLUMNS}`,
      [r.workspaceId, r.kind, r.forDate, r.timezone, r.currency, r.markdown, JSON.stringify(r.figures)],
    );
    if (!rows[0]) {
      // Written before: this statement's snapshot sees the committed row.
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
    return { report, created: true, deliveryIds: deliveries.rows.map((d) => d.id) };
  });
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
