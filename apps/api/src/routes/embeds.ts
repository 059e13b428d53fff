// GET /v1/embeds/:token — the data of one embedded chart, without an API key: the
// token (signed by createEmbedToken) names the workspace and the query. A tampered
// or expired token gets a 401 and no data.
import type { FastifyInstance } from 'fastify';
import type { SemanticLayer } from '@spendgraph/semantic';
import { chartData } from '../embeds/chart.ts';
import { EmbedTokenError, verifyEmbed } from '../embeds/token.ts';

export function embedRoutes(app: FastifyInstance, deps: { semantic: SemanticLayer; embedSecret?: string | undefined }) {
  app.get('/v1/embeds/:token', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (!deps.embedSecret) return reply.code(503).send({ error: 'embeds_disabled', message: 'embeds are disabled on this server: set EMBED_SIGNING_SECRET' });
    try {
      const { ws, exp, chart } = verifyEmbed(deps.embedSecret, (request.params as { token: string }).token);
      const data = await chartData(deps.semantic, ws, chart);
      return { chart, expiresAt: new Date(exp * 1000).toISOString(), ...data };
    } catch (e) {
      if (!(e instanceof EmbedTokenError)) throw e;
      return reply.code(401).send({ error: e.reason === 'expired' ? 'expired_token' : 'invalid_token', message: e.message });
    }
  });
}
