// Anomalies and stored reports: read from their tables, always within the
// caller's workspace (ids of another workspace's rows are simply not found).
import { z } from 'zod';
import { Decimal } from 'decimal.js';
import {
  ANOMALY_STATUSES, type Anomaly, type AnomalyCursor, type AnomalyFilter, type AnomalyGrouping, type AnomalyStatus, type Pool, type PoolClient, type Report,
  anomalyCursor, anomalyTotals, getReport, groupAnomalies, listAnomalies, listReportDeliveries, listReports, setAnomalyStatus,
} from '@spendgraph/db';
import { now } from '@spendgraph/periods';
import { MAX_WINDOWS, type MorningFigures, morningHtml } from '@spendgraph/insights';
import type { Queue } from 'bullmq';
import { DETECT_ANOMALIES_JOB, type DetectAnomaliesJobData, type Redis, createInsightsQueue } from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';
import { afterCommit, changeDb } from '../audit.ts';
import { argumentError } from '../query/errors.ts';

export interface InsightDeps {
  pool: Pool;
  semantic: SemanticLayer;
  /** Where detection jobs are queued (the insights queue, opened on first use). */
  redis: Redis;
}

interface Ctx {
  workspaceId: string;
  scopes: string[];
  keyId: string | null;
  userId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'is not an ISO time');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a date (YYYY-MM-DD)').refine((s) => !Number.isNaN(Date.parse(s)), 'is not a valid date');

/** Parses one argument; a failure names it. */
function arg<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw argumentError('INVALID_ARGUMENT', field, `'${value}' ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

function first(value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw argumentError('INVALID_ARGUMENT', 'first', `must be between 1 and ${max}`);
  return n;
}

const optional = <T>(schema: z.ZodType<T>, value: unknown, field: string) => (value == null ? undefined : arg(schema, value, field));

// The query cost limit counts `first` x the fields asked per anomaly: 250 with every documented field fit.
const MAX_ANOMALY_PAGE = 250;

type FilterArgs = {
  kind?: Anomaly['kind']; subject?: string; from?: string; to?: string; status?: AnomalyStatus[]; peerGroup?: string; likelyCause?: Anomaly['causes'][number]['cause'];
};
type AnomalyArgs = FilterArgs & { orderBy?: 'recent' | 'impact'; first?: number; after?: string };

/** The list's filters (GraphQL has checked the enums; times are checked here). */
const anomalyFilter = (a: FilterArgs): AnomalyFilter => ({
  kind: a.kind ?? undefined,
  subjectId: a.subject ?? undefined,
  from: optional(isoTime, a.from, 'from'),
  to: optional(isoTime, a.to, 'to'),
  statuses: a.status ?? undefined,
  peerValue: a.peerGroup ?? undefined,
  likelyCause: a.likelyCause ?? undefined,
});

// A cursor is the anomaly's place in the list's order, opaque to clients.
const encodeCursor = (a: Anomaly) => Buffer.from(JSON.stringify(anomalyCursor(a))).toString('base64url');
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/);
const cursorSchema = z.object({
  windowStart: isoTime, ratio: decimal, kind: z.enum(['session', 'task']), subjectId: z.string(), excess: decimal.optional(), id: z.string().regex(UUID).optional(),
});

function decodeCursor(value: string | undefined | null, order: AnomalyArgs['orderBy']): AnomalyCursor | undefined {
  if (value == null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const c = cursorSchema.safeParse(parsed);
  if (!c.success || (order === 'impact' && (c.data.excess === undefined || c.data.id === undefined))) {
    throw argumentError('INVALID_ARGUMENT', 'after', 'is not a cursor of anomalies in this order');
  }
  return c.data;
}

/** The range of a detection request: ISO times, from before to, at most MAX_WINDOWS days. */
function detectionRange(a: { from: string; to: string }): { from: string; to: string } {
  const from = Date.parse(arg(isoTime, a.from, 'from'));
  const to = Date.parse(arg(isoTime, a.to, 'to'));
  if (to <= from) throw argumentError('INVALID_ARGUMENT', 'to', 'must be after from');
  if (to - from > MAX_WINDOWS * 86_400_000) throw argumentError('INVALID_ARGUMENT', 'to', `the range may span at most ${MAX_WINDOWS} days`);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

type ReportArgs = { kind?: Report['kind']; from?: string; to?: string; first?: number };

/** Sets an anomaly's triage state as the caller, at the platform's clock. */
async function triage(deps: InsightDeps, c: Ctx & { db?: PoolClient }, a: { id: string; note?: string | null }, status: AnomalyStatus) {
  if (!UUID.test(a.id)) throw argumentError('INVALID_ARGUMENT', 'id', `'${a.id}' is not an anomaly id`);
  const note = optional(z.string().max(2000, 'is longer than 2000 characters'), a.note, 'note') ?? null;
  const changed = await setAnomalyStatus(changeDb(deps.pool, c), c.workspaceId, a.id, { status, userId: c.userId ?? null, keyId: c.userId ? null : c.keyId, note, at: now() });
  if (!changed) throw argumentError('NOT_FOUND', 'id', `no anomaly ${a.id} in this workspace`);
  return changed;
}

type SummaryParent = { filter: AnomalyFilter } & Awaited<ReturnType<typeof anomalyTotals>>;

export function insightResolvers(deps: InsightDeps) {
  let queue: Queue | undefined;
  return {
    Mutation: {
      detectAnomalies: (_: unknown, a: { from: string; to: string }, c: Ctx) => {
        const range = detectionRange(a);
        const data: DetectAnomaliesJobData = { workspaceId: c.workspaceId, ...range };
        return afterCommit(range, async () => {
          queue ??= createInsightsQueue(deps.redis);
          const job = await queue.add(DETECT_ANOMALIES_JOB, data);
          return { jobId: job.id!, ...range };
        });
      },
      acknowledgeAnomaly: (_: unknown, a: { id: string; note?: string }, c: Ctx) => triage(deps, c, a, 'acknowledged'),
      dismissAnomaly: (_: unknown, a: { id: string; note?: string }, c: Ctx) => triage(deps, c, a, 'dismissed'),
      reopenAnomaly: (_: unknown, a: { id: string }, c: Ctx) => triage(deps, c, a, 'open'),
    },
    Query: {
      anomalies: (_: unknown, a: AnomalyArgs, c: Ctx) =>
        listAnomalies(deps.pool, c.workspaceId, {
          ...anomalyFilter(a),
          order: a.orderBy ?? 'recent',
          first: first(a.first, 100, MAX_ANOMALY_PAGE),
          after: decodeCursor(a.after, a.orderBy ?? 'recent'),
        }),
      anomalySummary: async (_: unknown, a: FilterArgs, c: Ctx) => {
        const filter = anomalyFilter(a);
        return { filter, ...(await anomalyTotals(deps.pool, c.workspaceId, filter)) };
      },
      reports: (_: unknown, a: ReportArgs, c: Ctx) =>
        listReports(deps.pool, c.workspaceId, {
          kind: a.kind ?? undefined,
          from: optional(isoDate, a.from, 'from'),
          to: optional(isoDate, a.to, 'to'),
          first: first(a.first, 30, 366),
        }),
      report: async (_: unknown, { id }: { id: string }, c: Ctx) => {
        if (!UUID.test(id)) throw argumentError('INVALID_ARGUMENT', 'id', `'${id}' is not a report id`);
        return (await getReport(deps.pool, c.workspaceId, id)) ?? null;
      },
    },
    Anomaly: {
      subject: (a: Anomaly) => a.subjectId,
      peerGroup: (a: Anomaly) => ({ dimension: a.peerDimension, value: a.peerValue, size: a.peerCount, medianCost: a.peerMedian }),
      likelyCause: (a: Anomaly) => a.causes[0]?.cause ?? null,
      excess: (a: Anomaly) => new Decimal(a.cost).minus(a.peerMedian).toFixed(),
      cursor: encodeCursor,
      triage: (a: Anomaly) => ({ ...a.triage, by: a.triage.byName }),
    },
    AnomalySummary: {
      open: (s: SummaryParent) => s.byStatus.open,
      acknowledged: (s: SummaryParent) => s.byStatus.acknowledged,
      dismissed: (s: SummaryParent) => s.byStatus.dismissed,
      groups: (s: SummaryParent, a: { by: AnomalyGrouping; first?: number }, c: Ctx) =>
        groupAnomalies(deps.pool, c.workspaceId, a.by, s.filter, first(a.first, 50, MAX_ANOMALY_PAGE)),
    },
    Report: {
      figuresJson: (r: Report) => JSON.stringify(r.figures),
      figures: (r: Report) => r.figures as MorningFigures,
      html: (r: Report) => morningHtml(r.figures as MorningFigures, { reportId: r.id }),
      deliveries: (r: Report) => listReportDeliveries(deps.pool, r.workspaceId, [r.id]),
    },
    ReportAnomaly: {
      subject: (a: MorningFigures['anomalies'][number]) => a.subjectId,
      likelyCause: (a: MorningFigures['anomalies'][number]) => a.cause,
      causes: (a: MorningFigures['anomalies'][number]) => a.causes ?? [],
    },
  };
}
