// Embed tokens: made for one chart of the caller's workspace, listed, revoked (embeds/token.ts).
import { GraphQLError } from 'graphql';
import { type ApiKeyScope, type Pool, type PoolClient, type Role, createEmbedToken, listEmbedTokens, revokeEmbedToken } from '@spendgraph/db';
import { changeDb } from '../audit.ts';
import { isAdministrator } from '../authz.ts';
import type { SemanticLayer } from '@spendgraph/semantic';
import { chartData } from '../embeds/chart.ts';
import { type EmbedChart, embedSchema } from '../embeds/token.ts';
import { argumentError } from '../query/errors.ts';

const MAX_HOURS = 90 * 24;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type EmbedInput = EmbedChart & { expiresInHours?: number | null };
/** `db`: the audited change's transaction (graphql/authorize.ts). */
interface Caller { workspaceId: string; keyId: string | null; userId?: string; role?: Role; scopes: string[]; db?: PoolClient }

export function embedResolvers(deps: { semantic: SemanticLayer; pool: Pool }) {
  return {
    Query: {
      embedTokens: async (_: unknown, _args: unknown, c: Caller) =>
        (await listEmbedTokens(deps.pool, c.workspaceId)).map((e) => {
          const chart = embedSchema.parse(e.chart);
          return { ...e, kind: chart.kind, title: chart.title ?? null, active: !e.revokedAt && Date.parse(e.expiresAt) > Date.now() };
        }),
    },
    Mutation: {
      async createEmbedToken(_: unknown, { input }: { input: EmbedInput }, c: Caller) {
        const hours = input.expiresInHours ?? 168;
        if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS) {
          throw argumentError('INVALID_ARGUMENT', 'input.expiresInHours', `must be between 1 and ${MAX_HOURS}`);
        }
        const { expiresInHours: _h, ...chart } = input;
        const normalized: EmbedChart = { ...chart, by: chart.by ?? [], theme: chart.theme ?? 'light' };
        await chartData(deps.semantic, c.workspaceId, normalized); // refuses a bad query now, naming its field
        const { token, embed } = await createEmbedToken(changeDb(deps.pool, c), {
          workspaceId: c.workspaceId, apiKeyId: c.keyId, createdBy: c.userId ?? null, chart: normalized, expiresAt: new Date(Date.now() + hours * 3_600_000),
        });
        return { id: embed.id, token, expiresAt: embed.expiresAt, path: `/embed/${token}` };
      },
      async revokeEmbedToken(_: unknown, { id }: { id: string }, c: Caller) {
        if (!UUID.test(id)) throw argumentError('INVALID_ARGUMENT', 'id', `'${id}' is not an embed token id`);
        const mine = (await listEmbedTokens(changeDb(deps.pool, c), c.workspaceId)).find((e) => e.id === id);
        if (!mine) return false;
        // Whoever may make embeds may end their own; the workspace's admins may end any.
        const own = c.userId ? mine.createdBy === c.userId : mine.apiKeyId === c.keyId;
        if (!own && !isAdministrator({ ...c, scopes: c.scopes as ApiKeyScope[] })) {
          throw new GraphQLError('only the key that made this embed token, or a key with the admin scope, can revoke it', { extensions: { code: 'FORBIDDEN' } });
        }
        return revokeEmbedToken(changeDb(deps.pool, c), c.workspaceId, id);
      },
    },
  };
}
