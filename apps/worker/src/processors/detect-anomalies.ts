// The scheduled anomaly detection: every workspace (or the job's one), the
// window containing now and the one before (its last events may have come in since).
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
    const result = await detectAnomalies(deps, {
      workspaceId: job.data.workspaceId, now: deps.now?.() ?? clockNow(), settings: deps.settings,
    });
    if (!job.data.workspaceId) await deps.requeueStaleReportDeliveries?.();
    const summary = { workspaces: result.workspaces, anomalies: result.anomalies, ms: Math.round(performance.now() - started) };
    deps.log.info({ ...summary, inserted: result.inserted, removed: result.removed }, 'anomalies detected');
    return summary;
  };
}
