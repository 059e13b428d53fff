// Web sign-in sessions: the browser holds an opaque session id (never a key or password).
//   POST   /v1/sessions          Authorization: Bearer <API key with the read scope>
//                                -> 201 { session, expiresAt }   (a session acting as the key)
//   POST   /v1/sessions          { email, password, workspace? } (Authorization: the session it replaces, if any)
//                                -> 201 { session, expiresAt, userId, workspaceId, role }
//   DELETE /v1/sessions/current  Authorization: Bearer <session> -> 204
//   PUT    /v1/sessions/current/workspace  { workspace } (a person's session)
//                                -> 201 { session, expiresAt, workspaceId, role }: a new session acting in
//                                   another of the person's workspaces; the one presented ends (the switcher)
// A key's session acts with its key's workspace and scopes and ends with the key's revocation;
// a person's acts with their role and ends with sign-out, a password change or leaving the workspace.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createUserSession, createWebSession, revokeWebSession, workspacesOf } from '@spendgraph/db';
import { authenticated } from '../auth.ts';
import { can } from '../authz.ts';
import { type SignInDeps, badRequest, bearer, isPasswordSignIn, passwordSignIn } from './sign-in.ts';

export const switchSchema = z.object({ workspace: z.string().trim().min(1).max(100) });

export function sessionRoutes(app: FastifyInstance, deps: SignInDeps) {
  const signedIn = { preHandler: authenticated(deps.credentials.authenticate) };
  // A key opens a web session when it may read (POST /v1/sessions is public: it checks here).
  const keyAuth = async (request: FastifyRequest, reply: FastifyReply) => {
    await signedIn.preHandler(request, reply);
    if (!reply.sent && !can(request.identity!, 'usage:read')) reply.code(403).send({ error: 'forbidden', message: 'this key lacks the usage:read permission a web session needs' });
  };
  const keyOrPassword = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isPasswordSignIn(request)) return keyAuth(request, reply);
  };
  app.post('/v1/sessions', { preHandler: keyOrPassword }, async (request, reply) => {
    if (isPasswordSignIn(request)) return passwordSignIn(deps, request, reply);
    // A session does not beget sessions: its lifetime is the one it was given.
    if (bearer(request.headers.authorization).startsWith('sgs_')) {
      return reply.code(400).send({ error: 'invalid_request', message: 'sign in with an API key, not a session' });
    }
    return reply.code(201).send(await createWebSession(deps.pool, request.identity!.keyId!, deps.ttlMs));
  });
  app.delete('/v1/sessions/current', signedIn, async (request, reply) => {
    const session = bearer(request.headers.authorization);
    if (!session.startsWith('sgs_')) return reply.code(400).send({ error: 'invalid_request', message: 'send the session to end as "Authorization: Bearer <session>"' });
    await revokeWebSession(deps.pool, session);
    return reply.code(204).send();
  });
  app.put('/v1/sessions/current/workspace', signedIn, async (request, reply) => {
    const body = switchSchema.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error.issues[0]!);
    const session = bearer(request.headers.authorization);
    const userId = request.identity!.userId;
    if (!userId || !session.startsWith('sgs_')) {
      return reply.code(400).send({ error: 'invalid_request', message: "only a person's session switches workspaces; a key acts in its own" });
    }
    const wanted = body.data.workspace;
    const membership = (await workspacesOf(deps.pool, userId)).find((m) => m.slug === wanted || m.workspaceId === wanted);
    if (!membership) return reply.code(403).send({ error: 'forbidden', message: `you are not a member of the workspace '${wanted}'` });
    const next = await createUserSession(deps.pool, { userId, workspaceId: membership.workspaceId, ttlMs: deps.ttlMs, replaces: session });
    return reply.code(201).send({ ...next, workspaceId: membership.workspaceId, role: membership.role });
  });
}
