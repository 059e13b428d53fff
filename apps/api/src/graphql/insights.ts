// Anomalies and stored reports: read from their tables, always within the
// caller's workspace (ids of another workspace's rows are simply not found).
import { z } from 'zod';
import { Decimal } from 'decimal.js';
import {
  type Anomaly, type AnomalyCursor, type Pool, type Report, anomalyCursor, getReport, listAnomalies, listReportDeliveries, listReports,
} from '@spendgraph/db';
import { MAX_WINDOWS, type MorningFigures } from '@spendgraph/insights';
import type { Queue } from 'bullmq';
import { DETECT_ANOMALIES_JOB, type DetectAnomaliesJobData, type Redis, createInsightsQueue } from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';
import { afterCommit } from '../audit.ts';
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

type AnomalyArgs = { kind?: Anomaly['kind']; subject?: string; from?: string; to?: string; first?: number; after?: string };

// A cursor is the anomaly's place in the list's order, opaque to clients.
const encodeCursor = (a: Anomaly) => Buffer.from(JSON.stringify(anomalyCursor(a))).toString('base64url');
const cursorSchema = z.object({ windowStart: isoTime, ratio: z.string().regex(/^\d+(\.\d+)?$/), kind: z.enum(['session', 'task']), subjectId: z.string() });

function decodeCursor(value: string | undefined | null): AnomalyCursor | undefined {
  if (value == null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const c = cursorSchema.safeParse(parsed);
  if (!c.success) throw argumentError('INVALID_ARGUMENT', 'after', 'is not a cursor of anomalies');
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
    },
    Query: {
      anomalies: (_: unknown, a: AnomalyArgs, c: Ctx) =>
        listAnomalies(deps.pool, c.workspaceId, {
          kind: a.kind ?? undefined,
          subjectId: a.subject ?? undefined,
          from: optional(isoTime, a.from, 'from'),
          to: optional(isoTime, a.to, 'to'),
          first: first(a.first, 100, MAX_ANOMALY_PAGE),
          after: decodeCursor(a.after),
        }),
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
    },
    Report: {
      figuresJson: (r: Report) => JSON.stringify(r.figures),
      figures: (r: Report) => r.figures as MorningFigures,
      deliveries: (r: Report) => listReportDeliveries(deps.pool, r.workspaceId, [r.id]),
    },
    ReportAnomaly: {
      subject: (a: MorningFigures['anomalies'][number]) => a.subjectId,
      likelyCause: (a: MorningFigures['anomalies'][number]) => a.cause,
      causes: (a: MorningFigures['anomalies'][number]) => a.causes ?? [],
    },
  };
}
