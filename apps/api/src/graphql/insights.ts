// Anomalies and stored reports: read from their tables, always within the
// caller's workspace (ids of another workspace's rows are simply not found).
import { z } from 'zod';
import {
  type Anomaly, type Pool, type Report, getReport, listAnomalies, listReportDeliveries, listReports,
} from '@spendgraph/db';
import type { MorningFigures } from '@spendgraph/insights';
import type { SemanticLayer } from '@spendgraph/semantic';
import { argumentError } from '../query/errors.ts';

export interface InsightDeps {
  pool: Pool;
  semantic: SemanticLayer;
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

type AnomalyArgs = { kind?: Anomaly['kind']; subject?: string; from?: string; to?: string; first?: number };
type ReportArgs = { kind?: Report['kind']; from?: string; to?: string; first?: number };

export function insightResolvers(deps: InsightDeps) {
  return {
    Query: {
      anomalies: (_: unknown, a: AnomalyArgs, c: Ctx) =>
        listAnomalies(deps.pool, c.workspaceId, {
          kind: a.kind ?? undefined,
          subjectId: a.subject ?? undefined,
          from: optional(isoTime, a.from, 'from'),
          to: optional(isoTime, a.to, 'to'),
          first: first(a.first, 100, 1000),
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
    },
    Report: {
      figuresJson: (r: Report) => JSON.stringify(r.figures),
      figures: (r: Report) => r.figures as MorningFigures,
      deliveries: (r: Report) => listReportDeliveries(deps.pool, r.workspaceId, [r.id]),
    },
    ReportAnomaly: {
      subject: (a: MorningFigures['anomalies'][number]) => a.subjectId,
      likelyCause: (a: MorningFigures['anomalies'][number]) => a.cause,
    },
  };
}
