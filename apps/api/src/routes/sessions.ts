// Web sign-in sessions: the web app trades the API key typed at sign-in for an opaque
// session id (its cookie holds that, never the key) and ends it at sign-out.
//   POST   /v1/sessions          Authorization: Bearer <API key with the read scope>
//                                -> 201 { session, expiresAt }
//   DELETE /v1/sessions/current  Authorization: Bearer <session> -> 204
// A session acts with its key's workspace and scopes, and ends with the key's revocation.
import type { FastifyInstance } from 'fastify';
import { type Pool, createWebSession, revokeWebSession } from '@spendgraph/db';
import { type Authenticate, requireScope } from '../auth.ts';

const bearer = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';

export function sessionRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; pool: Pool; ttlMs: number }) {
  const signedIn = { preHandler: requireScope(deps.authenticate, ['read', 'admin']) };
  app.post('/v1/sessions', signedIn, async (request, reply) => {
    // A session does not beget sessions: its lifetime is the one it was given.
    if (bearer(request.headers.authorization).startsWith('sgs_')) {
      return reply.code(400).send({ error: 'invalid_request', message: 'sign in with an API key, not a session' });
    }
    return reply.code(201).send(await createWebSession(deps.pool, request.identity!.keyId, deps.ttlMs));
  });
  app.delete('/v1/sessions/current', signedIn, async (request, reply) => {
    const session = bearer(request.headers.authorization);
    if (!session.startsWith('sgs_')) return reply.code(400).send({ error: 'invalid_request', message: 'send the session to end as "Authorization: Bearer <session>"' });
    await revokeWebSession(deps.pool, session);
    return reply.code(204).send();
  });
}
