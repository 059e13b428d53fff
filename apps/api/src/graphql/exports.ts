// createExport: the REST export of a query, reached through a short-lived link.
import type { Pool } from '@spendgraph/db';
import type { Redis } from '@spendgraph/queue';
import type { SemanticContext, SemanticLayer } from '@spendgraph/semantic';
import { createLink } from '../exports/links.ts';
import { discard, openExport } from '../exports/open.ts';
import type { ExportRequest } from '../exports/request.ts';
import type { ExportSlots } from '../exports/slots.ts';

/** `exportPool` holds export cursors, apart from the pool of every other call. */
export interface ExportDeps { exportPool: Pool; semantic: SemanticLayer; redis: Redis; slots: ExportSlots }

export function exportResolvers(deps: ExportDeps) {
  return {
    Mutation: {
      async createExport(_: unknown, { input }: { input: ExportRequest }, c: SemanticContext) {
        let columns: string[];
        const request = JSON.parse(JSON.stringify(input)) as ExportRequest; // GraphQL's null-prototype objects, as plain JSON
        const release = deps.slots.take(c.workspaceId);
        try {
          const table = await openExport({ pool: deps.exportPool, semantic: deps.semantic }, { workspaceId: c.workspaceId, restriction: c.restriction }, request); // argument errors surface here
          await discard(table);
          columns = table.columns;
        } finally {
          release();
        }
        const link = await createLink(deps.redis, { workspaceId: c.workspaceId, ...(c.restriction ? { restriction: c.restriction } : {}), request });
        return { ...link, shape: request.shape, format: request.format, columns };
      },
    },
  };
}
