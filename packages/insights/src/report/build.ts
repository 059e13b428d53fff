// The morning report of one workspace: yesterday's anomalies are detected first
// (so the report lists them), then the figures are read and written as Markdown.
import { now as clockNow } from '@spendgraph/periods/clock';
import { DateTime } from 'luxon';
import { type Pool, type Report, listReports, recordReport } from '@spendgraph/db';
import type { SemanticLayer } from '@spendgraph/semantic';
import { detectAnomalies, reportingCurrency } from '../detect.ts';
import { type AnomalySettings, DEFAULT_ANOMALY_SETTINGS, type MorningReportSettings } from '../settings.ts';
import { type MorningFigures, morningFigures } from './figures.ts';
import { morningMarkdown } from './markdown.ts';

export interface MorningReportOptions {
  workspaceId: string;
  /** When the report is written; it reports on the day before, in `settings.timezone`. Default now. */
  at?: Date;
  settings?: Partial<MorningReportSettings>;
  /** Anomaly detection settings (threshold, peers, window); default as in the environment's defaults. */
  anomalies?: Partial<AnomalySettings>;
}

export interface MorningReport {
  forDate: string;
  timezone: string;
  currency: string;
  figures: MorningFigures;
  markdown: string;
}

type Deps = { pool: Pool; semantic: SemanticLayer };

/** The day a report written at `at` covers: the local day before. */
export function reportDate(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).startOf('day').minus({ days: 1 }).toFormat('yyyy-MM-dd');
}

export async function buildMorningReport(deps: Deps, opts: MorningReportOptions): Promise<MorningReport> {
  const at = opts.at ?? clockNow();
  const timezone = opts.settings?.timezone ?? 'UTC';
  const currency = await reportingCurrency(deps.pool, opts.workspaceId);
  const forDate = reportDate(at, timezone);
  const anomalySettings = { ...DEFAULT_ANOMALY_SETTINGS, ...opts.anomalies, currency };
  // The anomaly window holding the report's day: its figures are final once the day is over.
  const dayStart = DateTime.fromISO(forDate, { zone: timezone }).toJSDate();
  await detectAnomalies(deps, { workspaceId: opts.workspaceId, now: dayStart, onlyWindowOfNow: true, settings: anomalySettings });
  const figures = await morningFigures(deps, { workspaceId: opts.workspaceId, forDate, timezone, currency, at });
  return { forDate, timezone, currency, figures, markdown: morningMarkdown(figures) };
}

export interface WrittenReport {
  /** Null when the workspace had no calls in the 7 days reported on (nothing worth sending). */
  report: Report | null;
  created: boolean;
  deliveryIds: string[];
}

/**
 * Builds and stores the report with its deliveries, once per workspace and
 * date: a rerun returns the stored one without reading anything again.
 */
export async function writeMorningReport(deps: Deps, opts: MorningReportOptions): Promise<WrittenReport> {
  const forDate = reportDate(opts.at ?? clockNow(), opts.settings?.timezone ?? 'UTC');
  const [stored] = await listReports(deps.pool, opts.workspaceId, { kind: 'morning', from: forDate, to: forDate, first: 1 });
  if (stored) return { report: stored, created: false, deliveryIds: [] };
  const r = await buildMorningReport(deps, opts);
  if (r.figures.last7Days.calls === '0') return { report: null, created: false, deliveryIds: [] };
  return recordReport(deps.pool, { workspaceId: opts.workspaceId, kind: 'morning', ...r });
}
