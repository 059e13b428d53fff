// First run of an install (docs/decisions/0011-first-run-and-web-settings.md):
//   GET  /v1/setup   -> { open }   whether the install still has no owner
//   POST /v1/setup   { organization, workspace, name?, email, password }
//                    -> 201 { session, expiresAt, userId, workspaceId, role: 'owner' }
//                    -> 409 once any owner exists (nothing is created)
// Both are public: they are the way in before anyone can sign in, and shut for good after.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WeakPassword, createFirstOwner, createUserSession, firstRunOpen } from '@spendgraph/db';
import { emailSchema } from '../people/inputs.ts';
import { type SignInDeps, badRequest } from './sign-in.ts';

export const setupSchema = z.object({
  organization: z.string().trim().min(1, 'must not be empty').max(200),
  workspace: z.string().trim().min(1, 'must not be empty').max(200),
  name: z.string().trim().max(200).optional(),
  email: emailSchema,
  password: z.string().min(1).max(1024),
});

const CLOSED = { error: 'conflict', message: 'this install already has an owner: sign in, or ask an admin for an invitation' };

export function firstRunRoutes(app: FastifyInstance, deps: SignInDeps) {
  app.get('/v1/setup', async () => ({ open: await firstRunOpen(deps.pool) }));

  app.post('/v1/setup', async (request, reply) => {
    // Checked before the body, so a closed install says so to anyone, whatever they send.
    if (!(await firstRunOpen(deps.pool))) return reply.code(409).send(CLOSED);
    const body = setupSchema.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error.issues[0]!);
    let made;
    try {
      made = await createFirstOwner(deps.pool, body.data);
    } catch (e) {
      if (e instanceof WeakPassword) return reply.code(400).send({ error: 'invalid_request', field: 'password', message: `password: ${e.message}` });
      throw e;
    }
    if (!made) return reply.code(409).send(CLOSED);
    const session = await createUserSession(deps.pool, { userId: made.user.id, workspaceId: made.workspaceId, ttlMs: deps.ttlMs });
    return reply.code(201).send({ ...session, userId: made.user.id, workspaceId: made.workspaceId, workspace: made.workspaceSlug, role: 'owner' });
  });
}
