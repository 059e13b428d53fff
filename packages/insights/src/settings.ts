// Settings of anomaly detection and of the morning report. The worker reads them from its
// environment with the rest of its configuration (apps/worker/src/config.ts):
//   ANOMALY_THRESHOLD        a subject is flagged when its cost exceeds this x its peer median (default 2)
//   ANOMALY_MIN_PEERS        smallest peer group compared, the subject included (default 3)
//   ANOMALY_MIN_COST         subjects costing less are never flagged (decimal, default 0)
//   ANOMALY_WINDOW           day | week: the calendar window subjects and peers are compared in (default day)
//   ANOMALY_TIMEZONE         IANA zone of those windows (default UTC)
//   ANOMALY_PEER_DIMENSIONS  comma-separated dimensions whose combination is a peer group (default task_type,agent);
//                            a subject whose group is smaller than ANOMALY_MIN_PEERS is compared with a coarser one
//                            (fewer dimensions, the first ones listed kept first: task_type, then agent)
//   ANOMALY_MATERIAL_SHARE   a cause explaining less than this share of the excess is not named (default 0.15)
//   INSIGHTS_CURRENCY        no longer read: anomalies and reports are in each workspace's reporting currency (ADR 0023)
//   MORNING_REPORT_TIME      HH:MM the report is written at (default 07:00)
//   MORNING_REPORT_TIMEZONE  IANA zone of that time and of the report's days (default UTC)
import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import { z } from 'zod';

export type WindowPeriod = 'day' | 'week';

export interface DetectionWindow {
  period: WindowPeriod;
  timezone: string;
}

export interface AnomalySettings {
  threshold: string;
  minPeers: number;
  minCost: string;
  window: DetectionWindow;
  peerDimensions: string[];
  materialShare: number;
  currency: string;
}

export interface MorningReportSettings {
  /** HH:MM, local to `timezone`. */
  time: string;
  timezone: string;
  currency: string;
}

export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = {
  threshold: '2',
  minPeers: 3,
  minCost: '0',
  window: { period: 'day', timezone: 'UTC' },
  peerDimensions: ['task_type', 'agent'],
  materialShare: 0.15,
  currency: 'USD',
};

const zone = z.string().trim().refine((tz) => DateTime.local().setZone(tz).isValid, 'not an IANA time zone');
const decimal = z.string().trim().refine((s) => {
  try {
    return new Decimal(s).gte(0);
  } catch {
    return false;
  }
}, 'not a non-negative decimal');
// Dimensions a subject's peers share: plain names of `usage` dimensions.
const dimension = z.string().regex(/^[a-z_]+$/, 'not a dimension name');

/** The environment variables of insights, for the worker's configuration schema. */
export const insightsEnv = z.object({
  ANOMALY_THRESHOLD: decimal.refine((s) => new Decimal(s).gt(1), 'must be greater than 1').default('2'),
  ANOMALY_MIN_PEERS: z.coerce.number().int().min(2).max(1000).default(3),
  ANOMALY_MIN_COST: decimal.default('0'),
  ANOMALY_WINDOW: z.enum(['day', 'week']).default('day'),
  ANOMALY_TIMEZONE: zone.default('UTC'),
  ANOMALY_PEER_DIMENSIONS: z.string().default('task_type,agent')
    .transform((s) => s.split(',').map((d) => d.trim()).filter(Boolean))
    .pipe(z.array(dimension).min(1).max(4)),
  ANOMALY_MATERIAL_SHARE: z.coerce.number().min(0).max(1).default(0.15),
  INSIGHTS_CURRENCY: z.string().trim().regex(/^[A-Z]{3}$/, 'not an ISO 4217 code').default('USD'),
  MORNING_REPORT_TIME: z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)').default('07:00'),
  MORNING_REPORT_TIMEZONE: zone.default('UTC'),
});

export interface InsightsSettings {
  anomalies: AnomalySettings;
  morningReport: MorningReportSettings;
}

/** Settings from variables (`env`: insightsEnv's output). */
export function insightsSettingsOf(e: z.infer<typeof insightsEnv>): InsightsSettings {
  return {
    anomalies: {
      threshold: e.ANOMALY_THRESHOLD,
      minPeers: e.ANOMALY_MIN_PEERS,
      minCost: e.ANOMALY_MIN_COST,
      window: { period: e.ANOMALY_WINDOW, timezone: e.ANOMALY_TIMEZONE },
      peerDimensions: e.ANOMALY_PEER_DIMENSIONS,
      materialShare: e.ANOMALY_MATERIAL_SHARE,
      currency: e.INSIGHTS_CURRENCY,
    },
    morningReport: { time: e.MORNING_REPORT_TIME, timezone: e.MORNING_REPORT_TIMEZONE, currency: e.INSIGHTS_CURRENCY },
  };
}

/** Settings from an environment alone (tests; the worker parses insightsEnv within its own schema). */
export function insightsSettings(env: NodeJS.ProcessEnv): InsightsSettings {
  const parsed = insightsEnv.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid insights configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return insightsSettingsOf(parsed.data);
}

/** The BullMQ repeat options of the morning report: a daily cron at the configured local time. */
export function morningReportRepeat(s: Pick<MorningReportSettings, 'time' | 'timezone'>): { pattern: string; tz: string } {
  const [hour, minute] = s.time.split(':').map(Number);
  return { pattern: `${minute} ${hour} * * *`, tz: s.timezone };
}
