// Web sign-in sessions: the browser holds an opaque session id (never a key or password).
//   POST   /v1/sessions          Authorization: Bearer <API key with the read scope>
//                                -> 201 { session, expiresAt }   (a session acting as the key)
//   POST   /v1/sessions          { email, password, workspace? } (Authorization: the session it replaces, if any)
//                                -> 201 { session, expiresAt, userId, workspaceId, role }
//   DELETE /v1/sessions/current  Authorization: Bearer <session> -> 204
// A key's session acts with its key's workspace and scopes and ends with the key's revocation;
// a person's acts with their role and ends with sign-out, a password change or leaving the workspace.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createWebSession, revokeWebSession } from '@spendgraph/db';
import { authenticated } from '../auth.ts';
import { can } from '../authz.ts';
import { type SignInDeps, bearer, isPasswordSignIn, passwordSignIn } from './sign-in.ts';

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
}
