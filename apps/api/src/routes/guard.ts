// GET /v1/guard/check?user_id=ana&agent=coder&model=o3 — may this work start?
// Agents call it before dispatching work; it answers from memory (GuardCache).
import type { FastifyInstance } from 'fastify';
import type { SemanticLayer } from '@spendgraph/semantic';
import { type Authenticate, requireScope } from '../auth.ts';
import { GuardContextError, check, parseContext, presentDecision, scopableDimensions } from '../guard/check.ts';
import type { GuardCache } from '../guard/guard-cache.ts';

export function guardRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; guard: GuardCache; semantic: SemanticLayer }) {
  const allowed = scopableDimensions(deps.semantic);
  app.get('/v1/guard/check', { preHandler: requireScope(deps.authenticate, ['ingest', 'read', 'admin']) }, async (request, reply) => {
    const query = request.query as Record<string, string | string[]>;
    try {
      const pairs = Object.entries(query).map(([k, v]): [string, string] => {
        if (Array.isArray(v)) throw new GuardContextError(k, 'give one value per dimension');
        return [k, v];
      });
      const context = parseContext(pairs, allowed, (_i, name) => name);
      return presentDecision(await check(deps.guard, request.identity!.workspaceId, context));
    } catch (e) {
      if (!(e instanceof GuardContextError)) throw e;
      return reply.code(400).send({ error: 'invalid_request', field: e.field, message: e.message });
    }
  });
}
