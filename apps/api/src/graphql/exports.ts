// createExport: the REST export of a query, reached through a short-lived link.
import type { Pool } from '@spendgraph/db';
import type { Redis } from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';
import { createLink } from '../exports/links.ts';
import { discard, openExport } from '../exports/open.ts';
import type { ExportRequest } from '../exports/request.ts';

export interface ExportDeps { pool: Pool; semantic: SemanticLayer; redis: Redis }

export function exportResolvers(deps: ExportDeps) {
  return {
    Mutation: {
      async createExport(_: unknown, { input }: { input: ExportRequest }, c: { workspaceId: string }) {
        const request = JSON.parse(JSON.stringify(input)) as ExportRequest; // GraphQL's null-prototype objects, as plain JSON
        const table = await openExport(deps, { workspaceId: c.workspaceId }, request); // argument errors surface here
        await discard(table);
        const link = await createLink(deps.redis, { workspaceId: c.workspaceId, request });
        return { ...link, shape: request.shape, format: request.format, columns: table.columns };
      },
    },
  };
}
