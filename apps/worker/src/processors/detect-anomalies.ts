// Anomaly detection: every workspace (or the job's one), the window containing now
// and the one before (its last events may have come in since), or every window of
// the job's range (past days on demand, back-filled days).
import { now as clockNow } from '@spendgraph/periods/clock';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Pool } from '@spendgraph/db';
import { type AnomalySettings, detectAnomalies } from '@spendgraph/insights';
import type { DetectAnomaliesJobData, DetectAnomaliesResult } from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';

export function detectAnomaliesProcessor(deps: {
  pool: Pool;
  semantic: SemanticLayer;
  settings: AnomalySettings;
  log: Logger;
  now?: () => Date;
  /** Re-queues report deliveries whose job was lost; run with every scheduled (all-workspace) detection. */
  requeueStaleReportDeliveries?: () => Promise<number>;
}) {
  return async (job: Job<DetectAnomaliesJobData>): Promise<DetectAnomaliesResult> => {
    const started = performance.now();
    const { workspaceId, from, to } = job.data ?? {};
    const range = from && to ? { from: new Date(from), to: new Date(to) } : undefined;
    const result = await detectAnomalies(deps, { workspaceId, now: deps.now?.() ?? clockNow(), range, settings: deps.settings });
    if (!workspaceId && !range) await deps.requeueStaleReportDeliveries?.();
    const summary = { workspaces: result.workspaces, windows: result.windows, anomalies: result.anomalies, ms: Math.round(performance.now() - started) };
    deps.log.info({ ...summary, inserted: result.inserted, removed: result.removed }, 'anomalies detected');
    return summary;
  };
}
