// Queues an invitation's e-mail once the invitation is committed: the worker sends it through
// its SMTP_URL (apps/worker/src/processors/deliver-invitation.ts) with the accept link on the web
// app. Queued rather than sent here: a queued job is retried until the SMTP server takes it.
import type { Queue } from 'bullmq';
import type { Invitation } from '@spendgraph/db';
import { queueInvitationEmail } from '@spendgraph/queue';

export interface InvitationMail {
  /** The alerts queue (its INVITATION_JOB). */
  queue: Queue;
  /** The web app's address, without a trailing slash. */
  webUrl: string;
}

/** True once queued; false when e-mail is not set up or the queue cannot be reached (the inviter still has the link). */
export async function mailInvitation(
  mail: InvitationMail | undefined, i: { invitation: Invitation; token: string; workspace: string; invitedBy: string | null },
): Promise<boolean> {
  if (!mail) return false;
  try {
    await queueInvitationEmail(mail.queue, {
      invitationId: i.invitation.id, to: i.invitation.email, link: `${mail.webUrl}/invite/${i.token}`,
      workspace: i.workspace, role: i.invitation.role, expiresAt: i.invitation.expiresAt, invitedBy: i.invitedBy,
    });
    return true;
  } catch {
    return false;
  }
}
