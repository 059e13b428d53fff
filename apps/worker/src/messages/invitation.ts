// The invitation e-mail: who invites whom to which workspace with which role, and the link that
// accepts it (the web app's /invite/<token>, whose base URL the API is configured with).
import type { InvitationJobData } from '@spendgraph/queue';
import type { Mail } from '../channels/index.ts';

export function invitationMail(i: InvitationJobData): Mail {
  const by = i.invitedBy ? `${i.invitedBy} invites you` : 'You are invited';
  return {
    to: i.to,
    subject: `You are invited to the Spendgraph workspace ${i.workspace}`,
    text: [
      `${by} to join the Spendgraph workspace "${i.workspace}" as ${i.role}.`,
      '',
      `Accept the invitation: ${i.link}`,
      '',
      `The link works once and expires at ${i.expiresAt}. If you did not expect it, ignore this e-mail.`,
    ].join('\n'),
    headers: { 'x-spendgraph-invitation': i.invitationId },
  };
}
