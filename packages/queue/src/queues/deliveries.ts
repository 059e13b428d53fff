// Deliveries of alerts and of reports, two queues of one shape: one job per message
// and channel (its row in alert_deliveries or report_deliveries; the row id is the
// job id), retried with backoff. The alerts queue also carries invitation e-mails.
import type { Queue, QueueOptions } from 'bullmq';
import { z } from 'zod';
import type { Redis } from '../connection.ts';
import { defineQueue, openQueue } from '../define.ts';

export const DELIVER_JOB = 'deliver';
/** A bill variance alert to one channel (a row of bill_variance_deliveries). */
export const DELIVER_VARIANCE_JOB = 'deliver-variance';
/** An alert rule's notification to one channel (a row of notification_deliveries). */
export const DELIVER_NOTIFICATION_JOB = 'deliver-notification';

export const deliveryJobData = z.object({ deliveryId: z.string().min(1) });
export type DeliveryJobData = z.infer<typeof deliveryJobData>;

export const DELIVERY_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
} as const;

/**
 * An invitation e-mail (people/resolvers.ts queues it once the invitation is committed). The
 * link carries the invitation's token, a credential: the job is removed from Redis as soon as it
 * is delivered or given up, and the token itself is stored nowhere else but hashed.
 */
export const INVITATION_JOB = 'invitation';
export const invitationJobData = z.object({
  invitationId: z.uuid(),
  to: z.string().min(3).max(320),
  link: z.url(),
  workspace: z.string().min(1),
  role: z.string().min(1),
  expiresAt: z.string(),
  invitedBy: z.string().nullable(),
});
export type InvitationJobData = z.infer<typeof invitationJobData>;

export const ALERTS_QUEUE = 'alerts';
export const REPORTS_QUEUE = 'report-deliveries';
export const alertsQueue = defineQueue({
  name: ALERTS_QUEUE, jobs: { [DELIVER_JOB]: deliveryJobData, [DELIVER_VARIANCE_JOB]: deliveryJobData, [DELIVER_NOTIFICATION_JOB]: deliveryJobData, [INVITATION_JOB]: invitationJobData }, defaultJobOptions: DELIVERY_JOB_OPTIONS,
});
export const reportsQueue = defineQueue({ name: REPORTS_QUEUE, jobs: { [DELIVER_JOB]: deliveryJobData }, defaultJobOptions: DELIVERY_JOB_OPTIONS });

export const createAlertsQueue = (connection: Redis, options: Partial<QueueOptions> = {}): Queue<DeliveryJobData> =>
  openQueue(alertsQueue, connection, options);
export const createReportsQueue = (connection: Redis, options: Partial<QueueOptions> = {}): Queue<DeliveryJobData> =>
  openQueue(reportsQueue, connection, options);

/** Queues an invitation e-mail; once per invitation (its id names the job). */
export async function queueInvitationEmail(queue: Queue, data: InvitationJobData): Promise<void> {
  await queue.add(INVITATION_JOB, invitationJobData.parse(data), { jobId: `invitation-${data.invitationId}`, removeOnComplete: true, removeOnFail: true });
}

/** Queues delivery jobs; the delivery id is the job id, so queuing one twice is harmless. */
export async function queueDeliveries(queue: Queue<DeliveryJobData>, deliveryIds: string[], name: string = DELIVER_JOB): Promise<void> {
  if (!deliveryIds.length) return;
  await queue.addBulk(deliveryIds.map((deliveryId) => ({ name, data: { deliveryId }, opts: { jobId: deliveryId } })));
}
