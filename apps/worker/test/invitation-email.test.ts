// Invitation e-mail end to end: inviteMember through the real API queues the e-mail once the
// invitation is committed, the real worker sends it to an SMTP server on loopback, and the link
// it carries accepts the invitation.
import { randomUUID } from 'node:crypto';
import type { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisConnection } from '@spendgraph/queue';
import { type Platform, graphqlData, startPlatform, waitFor } from '@spendgraph/test-support/platform';
import { workspaceWithPeople } from '@spendgraph/test-support/people';
import { type Mail, parseMail, startSmtp } from './smtp.ts';

const WEB_URL = 'http://web.spendgraph.test:3000';
const mails: Mail[] = [];
let smtp: SMTPServer;
let p: Platform;

beforeAll(async () => {
  const started = await startSmtp(mails);
  smtp = started.server;
  // The worker runs the alerts queue, where invitation e-mails go.
  p = await startPlatform({ env: { SMTP_URL: started.url, WEB_URL: `${WEB_URL}/`, ALERTS_EMAIL_FROM: 'invitations@spendgraph.test', WORKER_QUEUES: 'alerts' } });
}, 120_000);
afterAll(async () => {
  await p?.stop();
  await new Promise((r) => (smtp ? smtp.close(() => r(undefined)) : r(undefined)));
});

it('e-mails the invitee a link that accepts the invitation, and keeps no link in Redis', async () => {
  const team = await workspaceWithPeople(p.pool, p.apiUrl);
  const email = `invitee-${randomUUID().slice(0, 8)}@example.test`;
  const { inviteMember: made } = await graphqlData(p.apiUrl, team.members.admin.session,
    `mutation { inviteMember(email: "${email}", role: analyst) { emailed token invitation { id expiresAt } } }`);
  expect(made.emailed).toBe(true);

  const mail = await waitFor(async () => mails.find((m) => m.to.includes(email)), 30_000, 'the invitation e-mail');
  expect(mail).toMatchObject({ from: 'invitations@spendgraph.test', user: 'alerts' });
  const { subject, text } = parseMail(mail.raw);
  const { rows } = await p.pool.query('SELECT name FROM workspaces WHERE id = $1', [team.workspaceId]);
  expect(subject).toBe(`You are invited to the Spendgraph workspace ${rows[0].name}`);
  expect(text).toContain(`${team.members.admin.email} invites you to join the Spendgraph workspace "${rows[0].name}" as analyst.`);
  const link = /Accept the invitation: (\S+)/.exec(text)?.[1];
  expect(link).toBe(`${WEB_URL}/invite/${made.token}`);
  expect(text).toContain(`expires at ${made.invitation.expiresAt}`);

  // The web app's page posts the token from the link; the invitee then acts with the role.
  const token = link!.slice(link!.lastIndexOf('/') + 1);
  const accepted = await fetch(`${p.apiUrl}/v1/invitations/accept`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: 'a long enough password' }),
  });
  expect(accepted.status).toBe(201);
  expect(await accepted.json()).toMatchObject({ workspaceId: team.workspaceId, role: 'analyst' });

  // The delivered job, which held the link, is gone from Redis.
  const redis = redisConnection(p.env.REDIS_URL!, 'worker');
  try {
    const pattern = `${p.env.QUEUE_PREFIX}*invitation-${made.invitation.id}*`;
    await waitFor(async () => (await redis.keys(pattern)).length === 0, 5_000, 'the delivered job to leave Redis');
  } finally {
    redis.disconnect();
  }
}, 60_000);
