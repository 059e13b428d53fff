// Signing a person in with their organization's identity provider (OpenID Connect):
//   POST /v1/sso/start     { email | domain, redirectUri } -> 200 { authorizationUrl, state }
//   POST /v1/sso/callback  { query }  (the query string the provider redirected to redirectUri with;
//                          Authorization: the session it replaces, if any)
//                          -> 201 { session, expiresAt, userId, workspaceId, role, email }
// The web app calls both: it sends the browser to authorizationUrl, keeps the state in a cookie
// to check the browser that comes back is the one that left, and sets the session cookie.
// Refusals are 4xx (502 when the provider cannot be read) with a code and a message.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { createUserSession } from '@spendgraph/db';
import { TooManyFailures, tooMany } from '../auth.ts';
import { SsoFailure } from '../sso/failure.ts';
import { type FlowDeps, finishSignIn, startSignIn } from '../sso/flow.ts';
import { joinOnSignIn } from '../sso/join.ts';
import { type SignInDeps, badRequest, bearer } from './sign-in.ts';

const redirectUri = z.url({ protocol: /^https?$/ }).max(2000)
  .refine((u) => !u.includes('#') && !u.includes('?'), 'must have no query or fragment');

export const startSchema = z.object({
  email: z.string().trim().max(320).regex(/^[^@\s]+@[^@\s]+$/, 'is not an e-mail address').optional(),
  domain: z.string().trim().toLowerCase().min(1).max(253).optional(),
  redirectUri,
}).refine((s) => s.email || s.domain, { message: 'give the e-mail (or the domain) to sign in with', path: ['email'] });

export const callbackSchema = z.object({ query: z.string().min(1).max(8000) });

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

function sendFailure(reply: FastifyReply, e: unknown) {
  if (e instanceof SsoFailure) return reply.code(e.status).send({ error: e.code, message: e.message });
  throw e;
}

export function ssoRoutes(app: FastifyInstance, deps: SignInDeps & FlowDeps) {
  app.post('/v1/sso/start', async (request, reply) => {
    const body = startSchema.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error.issues[0]!);
    const { email, domain, redirectUri: uri } = body.data;
    try {
      return await startSignIn(deps, { domain: email ? domainOf(email) : domain!, loginHint: email, redirectUri: uri });
    } catch (e) {
      return sendFailure(reply, e);
    }
  });

  app.post('/v1/sso/callback', async (request, reply) => {
    const body = callbackSchema.safeParse(request.body);
    if (!body.success) return badRequest(reply, body.error.issues[0]!);
    try {
      deps.credentials.checkFailures(request.ip);
    } catch (e) {
      if (e instanceof TooManyFailures) return tooMany(reply, e);
      throw e;
    }
    try {
      const who = await finishSignIn(deps, body.data.query);
      const { user, membership } = await joinOnSignIn(deps.pool, who);
      const presented = bearer(request.headers.authorization);
      const session = await createUserSession(deps.pool, {
        userId: user.id, workspaceId: membership.workspaceId, ttlMs: deps.ttlMs, replaces: presented.startsWith('sgs_') ? presented : undefined,
      });
      return reply.code(201).send({ ...session, userId: user.id, workspaceId: membership.workspaceId, role: membership.role, email: user.email });
    } catch (e) {
      if (e instanceof SsoFailure) deps.credentials.noteFailure(request.ip);
      return sendFailure(reply, e);
    }
  });
}
