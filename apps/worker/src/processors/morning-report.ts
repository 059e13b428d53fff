// The morning report. The scheduled job (no workspace) queues one job per
// workspace, so each is retried on its own; a workspace's job writes its report
// (once per date: a retry or a second run returns the stored one) and queues
// its deliveries.
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { type Pool, listWorkspaceIds } from '@spendgraph/db';
import { type AnomalySettings, type MorningReportSettings, reportDate, writeMorningReport } from '@spendgraph/insights';
import {
  type DeliveryJobData, MORNING_REPORT_JOB, type MorningReportJobData, type MorningReportResult, queueDeliveries,
} from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';

export interface MorningReportDeps {
  pool: Pool;
  semantic: SemanticLayer;
  settings: { morningReport: MorningReportSettings; anomalies: AnomalySettings };
  /** Where per-workspace jobs go (the insights queue). */
  queue: Queue;
  deliveries: Queue<DeliveryJobData>;
  log: Logger;
}

export function morningReportProcessor(deps: MorningReportDeps) {
  return async (job: Job<MorningReportJobData>): Promise<MorningReportResult> => {
    // The moment the schedule fired (a scheduler's job is created ahead and delayed until then), kept by the
    // per-workspace jobs: a late or retried job reports on the same day.
    const at = job.data.at ?? new Date(job.timestamp + (job.opts?.delay ?? 0)).toISOString();
    if (!job.data.workspaceId) return { queued: await fanOut(deps, at) };
    const written = await writeMorningReport(deps, {
      workspaceId: job.data.workspaceId, at: new Date(at), settings: deps.settings.morningReport, anomalies: deps.settings.anomalies,
    });
    if (!written.report) return { created: false, deliveries: 0 }; // nothing spent in the week: nothing to report
    await queueDeliveries(deps.deliveries, written.deliveryIds);
    if (written.created) deps.log.info({ workspaceId: job.data.workspaceId, reportId: written.report.id, forDate: written.report.forDate }, 'morning report written');
    return { reportId: written.report.id, created: written.created, deliveries: written.deliveryIds.length };
  };
}

async function fanOut(deps: MorningReportDeps, at: string): Promise<number> {
  const forDate = reportDate(new Date(at), deps.settings.morningReport.timezone);
  const workspaces = await listWorkspaceIds(deps.pool);
  // One job id per workspace and date: a second firing the same day queues nothing new.
  await deps.queue.addBulk(workspaces.map((workspaceId) => ({
    name: MORNING_REPORT_JOB, data: { workspaceId, at }, opts: { jobId: `morning-report:${workspaceId}:${forDate}` },
  })));
  return workspaces.length;
}
