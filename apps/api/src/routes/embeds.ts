// GET /v1/embeds/:token — the data of one embedded chart or dashboard, without an API key: the
// token (made by createEmbedToken, stored hashed) names the workspace and the query.
// An unknown, expired or revoked token — or one whose key was revoked — gets a 401 and no data.
import type { FastifyInstance } from 'fastify';
import { type Pool, findEmbedToken, getWorkspaceSettings } from '@spendgraph/db';
import type { SemanticLayer } from '@spendgraph/semantic';
import { chartData } from '../embeds/chart.ts';
import { dashboardData } from '../embeds/dashboard.ts';
import { embedSchema } from '../embeds/token.ts';

export function embedRoutes(app: FastifyInstance, deps: { semantic: SemanticLayer; pool: Pool }) {
  app.get('/v1/embeds/:token', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const { token } = request.params as { token: string };
    const found = await findEmbedToken(deps.pool, token);
    if (!found) return reply.code(401).send({ error: 'invalid_token', message: 'this embed token is unknown, expired or revoked' });
    const chart = embedSchema.parse(found.chart);
    const data = chart.kind === 'dashboard' ? await dashboardData(deps, found.workspaceId, chart) : await chartData(deps.semantic, found.workspaceId, chart);
    if (!data) return reply.code(404).send({ error: 'not_found', message: 'the dashboard of this embed token was deleted' });
    // Money measures are in the workspace's reporting currency (docs/decisions/0023-currencies.md).
    const currency = (await getWorkspaceSettings(deps.pool, found.workspaceId))?.currency ?? 'USD';
    return { chart, expiresAt: found.expiresAt, currency, ...data };
  });
}
