// People over REST (the rest is GraphQL: ../people/resolvers.ts):
//   GET  /v1/me                   who the credential is, its workspace and permissions
//   POST /v1/invitations/accept   { token, password, name? } -> 201 a session in the invited workspace
//                                 (a new account for the invited e-mail, or the existing one's password)
//   GET  /v1/audit-log            ?format=json|csv&action=&actorUserId=&actorKeyId=&targetType=&targetId=&since=&until=&limit=
// Who may call each: ../authz.ts.
import type { FastifyInstance } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import {
  WeakPassword, acceptInvitation, createUser, createUserSession, findOpenInvitation, findUserByEmail, listAudit,
} from '@spendgraph/db';
import { authenticated } from '../auth.ts';
import { audited } from '../audit.ts';
import { permissionsOf } from '../authz.ts';
import { neutraliseFormula } from '../exports/encode.ts';
import { auditFilterSchema } from '../people/inputs.ts';
import { type SignInDeps, badRequest, checkPassword } from './sign-in.ts';

export const acceptSchema = z.object({
  token: z.string().regex(/^sgi_[A-Za-z0-9_-]{43}$/, 'is not an invitation token'),
  password: z.string().min(1).max(1024),
  name: z.string().trim().max(200).optional(),
});

export const auditQuerySchema = auditFilterSchema.extend({
  format: z.enum(['json', 'csv']).default('json'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

const AUDIT_COLUMNS = ['id', 'occurredAt', 'action', 'actorUserId', 'actorKeyId', 'actorLabel', 'targetType', 'targetId', 'before', 'after'] as const;

export function peopleRoutes(app: FastifyInstance, deps: SignInDeps) {
  const signedIn = { preHandler: authenticated(deps.credentials.authenticate) };

  app.get('/v1/me', signedIn, async (request) => {
    const i = request.identity!;
    return { workspaceId: i.workspaceId, userId: i.userId ?? null, role: i.role ?? null, keyId: i.keyId, permissions: [...permissionsOf(i)].sort() };
  });

  app.post('/v1/invitations/accept', async (request, reply) => {
    const body = acceptSchema.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error.issues[0]!);
    const invitation = await findOpenInvitation(deps.pool, body.data.token);
    if (!invitation) return reply.code(404).send({ error: 'not_found', message: 'this invitation does not exist, was used, revoked, or has expired' });
    let user = await findUserByEmail(deps.pool, invitation.email);
    if (user) {
      user = await checkPassword(deps, request, reply, invitation.email, body.data.password);
      if (!user) return reply;
    } else {
      try {
        user = await createUser(deps.pool, { email: invitation.email, name: body.data.name ?? null, password: body.data.password });
      } catch (e) {
        if (e instanceof WeakPassword) return reply.code(400).send({ error: 'invalid_request', field: 'password', message: `password: ${e.message}` });
        throw e;
      }
    }
    const person = user;
    const actor = { workspaceId: invitation.workspaceId, keyId: null, userId: person.id };
    const rule = { targetType: 'member', table: 'memberships', idColumn: 'user_id', idArg: 'userId' };
    const accepted = await audited(deps.pool, actor, 'acceptInvitation', rule, { userId: person.id, invitationId: invitation.id },
      (client) => acceptInvitation(client, body.data.token, person));
    if (!accepted) return reply.code(404).send({ error: 'not_found', message: 'this invitation was used meanwhile' });
    const session = await createUserSession(deps.pool, { userId: person.id, workspaceId: invitation.workspaceId, ttlMs: deps.ttlMs });
    return reply.code(201).send({ ...session, userId: person.id, workspaceId: invitation.workspaceId, role: accepted.role });
  });

  app.get('/v1/audit-log', signedIn, async (request, reply) => {
    const q = auditQuerySchema.safeParse(request.query);
    if (!q.success) return badRequest(reply, q.error.issues[0]!);
    const { format, limit, since, until, ...filter } = q.data;
    const entries = await listAudit(deps.pool, {
      ...filter, workspaceId: request.identity!.workspaceId, since: since ? new Date(since) : null, until: until ? new Date(until) : null, first: limit,
    });
    reply.header('content-disposition', `attachment; filename="audit-log.${format}"`);
    if (format === 'json') return reply.type('application/json; charset=utf-8').send(entries);
    const rows = entries.map((e) => AUDIT_COLUMNS.map((c) => {
      const v = e[c];
      const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      return neutraliseFormula(text);
    }));
    return reply.type('text/csv; charset=utf-8').send(stringify([[...AUDIT_COLUMNS], ...rows]));
  });
}
