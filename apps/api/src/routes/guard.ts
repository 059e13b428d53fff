// GET /v1/guard/check?user_id=ana&agent=coder&model=o3[&limit=10] — may this work start?
// Agents call it before dispatching work; it answers from memory (GuardCache).
// Every other parameter is a dimension of the context; `limit` caps the budgets listed.
import type { FastifyInstance } from 'fastify';
import type { SemanticLayer } from '@spendgraph/semantic';
import { type Authenticate, authenticated } from '../auth.ts';
import { DECISION_SCHEMA, DEFAULT_LISTED, GuardContextError, MAX_LISTED, check, parseContext, presentDecision, scopableDimensionsOnce } from '../guard/check.ts';
import type { GuardCache } from '../guard/guard-cache.ts';

const ERROR_SCHEMA = { type: 'object', properties: { error: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } } } as const;

export function guardRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; guard: GuardCache; semantic: SemanticLayer }) {
  const allowed = scopableDimensionsOnce(deps.semantic);
  const options = { preHandler: authenticated(deps.authenticate), schema: { response: { 200: DECISION_SCHEMA, 400: ERROR_SCHEMA, 403: ERROR_SCHEMA } } };
  app.get('/v1/guard/check', options, async (request, reply) => {
    const { limit: limitParam, ...query } = request.query as Record<string, string | string[]>;
    try {
      const limit = limitParam === undefined ? DEFAULT_LISTED : Number(limitParam);
      if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LISTED) throw new GuardContextError('limit', `must be an integer from 0 to ${MAX_LISTED}`);
      const pairs = Object.entries(query).map(([k, v]): [string, string] => {
        if (Array.isArray(v)) throw new GuardContextError(k, 'give one value per dimension');
        return [k, v];
      });
      const context = parseContext(pairs, allowed(), (_i, name) => name);
      return presentDecision(await check(deps.guard, request.identity!, context), limit);
    } catch (e) {
      if (!(e instanceof GuardContextError)) throw e;
      const restricted = e.code === 'RESTRICTED';
      return reply.code(restricted ? 403 : 400).send({ error: restricted ? 'forbidden' : 'invalid_request', field: e.field, message: e.message });
    }
  });
}
