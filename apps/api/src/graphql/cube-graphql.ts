// Cube's own generated GraphQL schema (the one a Cube server serves at
// /cubejs-api/graphql), built from the public views and answered by our
// semantic layer, so the workspace filter and member checks apply to it too.
import { makeSchema } from '@cubejs-backend/api-gateway/dist/src/graphql.js';
import type { GraphQLSchema } from 'graphql';
import type { CubeQuery, SemanticContext, SemanticLayer } from '@spendgraph/semantic';
import { checkCubeQuery } from '../query-limits.ts';

export function cubeGraphqlSchema(semantic: SemanticLayer): GraphQLSchema {
  return makeSchema(semantic.cubeMeta()) as GraphQLSchema;
}

interface GatewayLoadRequest {
  query: CubeQuery;
  res: (message: unknown) => Promise<void> | void;
}

/** The part of Cube's ApiGateway that the generated resolvers call. */
export function cubeGateway(semantic: SemanticLayer, ctx: SemanticContext) {
  const types = new Map(semantic.meta().views.flatMap((v) => v.dimensions.map((d) => [d.name, d.type] as const)));
  return {
    async load({ query, res }: GatewayLoadRequest) {
      checkCubeQuery(query);
      const result = await semantic.load(query, ctx);
      // Cube's resolver reads member types and time buckets from the annotation.
      const dimensions = Object.fromEntries((query.dimensions ?? []).map((d) => [d, { type: types.get(d) ?? 'string' }]));
      const timeDimensions: Record<string, { type: string }> = {};
      for (const td of query.timeDimensions ?? []) {
        if (!td.granularity) continue;
        timeDimensions[`${td.dimension}.${td.granularity}`] = { type: 'time' };
        timeDimensions[td.dimension] = { type: 'time' };
      }
      await res({
        query: { timezone: query.timezone ?? 'UTC' },
        data: result.data,
        annotation: { measures: {}, dimensions, timeDimensions, segments: {} },
        usedPreAggregations: result.usedPreAggregations,
      });
    },
  };
}
