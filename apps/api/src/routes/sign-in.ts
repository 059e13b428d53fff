// Signing a person in by e-mail and password: the per-address failure budget (auth.ts), the
// account's lockout (packages/db users.ts), the workspace to act in, and a new session id
// every time (the session presented, if any, is ended: rotation on sign-in).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type LockoutPolicy, type Pool, checkSignIn, createUserSession, workspacesOf } from '@spendgraph/db';
import { type Credentials, TooManyFailures, tooMany } from '../auth.ts';

export interface SignInDeps {
  credentials: Credentials;
  pool: Pool;
  ttlMs: number;
  lockout: LockoutPolicy;
}

export const passwordSignInSchema = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
  /** Slug or id of the workspace to act in; the oldest membership when left out. */
  workspace: z.string().max(100).optional(),
});

export const bearer = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';

export const badRequest = (reply: FastifyReply, issue: z.core.$ZodIssue, prefix = '') => {
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  return reply.code(400).send({ error: 'invalid_request', field, message: `${field || 'body'}: ${issue.message}` });
};

/** Checks the e-mail and password; answers the failure itself and returns the person on success. */
export async function checkPassword(deps: SignInDeps, request: FastifyRequest, reply: FastifyReply, email: string, password: string) {
  try {
    deps.credentials.checkFailures(request.ip);
  } catch (err) {
    if (err instanceof TooManyFailures) return void tooMany(reply, err);
    throw err;
  }
  const check = await checkSignIn(deps.pool, email, password, deps.lockout);
  if (check.ok) return check.user;
  deps.credentials.noteFailure(request.ip);
  if (check.reason === 'locked') {
    return void reply.code(429).header('retry-after', String(check.retryAfterS))
      .send({ error: 'locked', message: `too many wrong passwords: this account is locked for ${check.retryAfterS} s` });
  }
  return void reply.code(401).send({ error: 'unauthorized', message: 'wrong e-mail or password' });
}

export async function passwordSignIn(deps: SignInDeps, request: FastifyRequest, reply: FastifyReply) {
  const body = passwordSignInSchema.safeParse(request.body);
  if (!body.success) return badRequest(reply, body.error.issues[0]!);
  const user = await checkPassword(deps, request, reply, body.data.email, body.data.password);
  if (!user) return reply;
  const memberships = await workspacesOf(deps.pool, user.id);
  const wanted = body.data.workspace;
  const membership = wanted ? memberships.find((m) => m.slug === wanted || m.workspaceId === wanted) : memberships[0];
  if (!membership) {
    return reply.code(403).send({ error: 'forbidden', message: wanted ? `you are not a member of the workspace '${wanted}'` : 'you are not a member of any workspace yet' });
  }
  const presented = bearer(request.headers.authorization);
  const session = await createUserSession(deps.pool, {
    userId: user.id, workspaceId: membership.workspaceId, ttlMs: deps.ttlMs, replaces: presented.startsWith('sgs_') ? presented : undefined,
  });
  return reply.code(201).send({ ...session, userId: user.id, workspaceId: membership.workspaceId, role: membership.role });
}

/** A request signs in with a password when its JSON body names an e-mail; otherwise with the key it carries. */
export const isPasswordSignIn = (request: FastifyRequest) =>
  typeof request.body === 'object' && request.body !== null && 'email' in request.body;
