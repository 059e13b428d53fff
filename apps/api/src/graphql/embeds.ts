// createEmbedToken: signs a chart's query for the caller's workspace (embeds/token.ts).
import { GraphQLError } from 'graphql';
import type { SemanticLayer } from '@spendgraph/semantic';
import { chartData } from '../embeds/chart.ts';
import { type EmbedChart, signEmbed } from '../embeds/token.ts';
import { argumentError } from './errors.ts';

const MAX_HOURS = 90 * 24;

type EmbedInput = EmbedChart & { expiresInHours?: number | null };

export function embedResolvers(deps: { semantic: SemanticLayer; embedSecret?: string | undefined }) {
  return {
    Mutation: {
      async createEmbedToken(_: unknown, { input }: { input: EmbedInput }, c: { workspaceId: string }) {
        if (!deps.embedSecret) {
          throw new GraphQLError('embeds are disabled on this server: set EMBED_SIGNING_SECRET', { extensions: { code: 'EMBEDS_DISABLED' } });
        }
        const hours = input.expiresInHours ?? 168;
        if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS) {
          throw argumentError('INVALID_ARGUMENT', 'input.expiresInHours', `must be between 1 and ${MAX_HOURS}`);
        }
        const { expiresInHours: _h, ...chart } = input;
        const normalized: EmbedChart = { ...chart, by: chart.by ?? [], theme: chart.theme ?? 'light' };
        await chartData(deps.semantic, c.workspaceId, normalized); // refuses a bad query now, naming its field
        const exp = Math.floor(Date.now() / 1000) + hours * 3600;
        const token = signEmbed(deps.embedSecret, { v: 1, ws: c.workspaceId, exp, chart: normalized });
        return { token, expiresAt: new Date(exp * 1000).toISOString(), path: `/embed/${token}` };
      },
    },
  };
}
