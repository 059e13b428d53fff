// Sends an invitation e-mail (INVITATION_JOB of the alerts queue). Failures are thrown so BullMQ
// retries them with backoff; one that retrying cannot help (no SMTP_URL, a permanent rejection)
// ends at once. The job, which holds the link, leaves Redis either way (queueInvitationEmail).
import { type Job, UnrecoverableError } from 'bullmq';
import type { InvitationJobData } from '@spendgraph/queue';
import type { Mail, SendOutcome } from '../channels/index.ts';
import { invitationMail } from '../messages/invitation.ts';

export function deliverInvitationProcessor(send: (mail: Mail) => Promise<SendOutcome>) {
  return async (job: Job<InvitationJobData>): Promise<{ status: 'delivered' }> => {
    const outcome = await send(invitationMail(job.data));
    if (outcome.ok) return { status: 'delivered' };
    if (!outcome.retryable) throw new UnrecoverableError(outcome.error ?? 'failed');
    throw new Error(outcome.error ?? 'failed');
  };
}
