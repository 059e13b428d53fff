// GET /v1/exports/{breakdown|timeseries|events|focus}?format=csv|json|ndjson&... — a
// query's result as a file (read scope), streamed; GET /v1/organization/exports/focus — the
// organization's FOCUS rows, a section per workspace the caller may export from; GET /v1/exports/download/:token —
// an export whose link GraphQL's createExport made (the token is the credential).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Pool } from '@spendgraph/db';
import type { Redis } from '@spendgraph/queue';
import type { SemanticContext, SemanticLayer } from '@spendgraph/semantic';
import { type Authenticate, authenticated } from '../auth.ts';
import { DOWNLOAD_PATH, readLink } from '../exports/links.ts';
import { openExport, openOrganizationFocus, sendTable } from '../exports/open.ts';
import type { Table } from '../exports/tables.ts';
import { organizationReach } from '../authz.ts';
import { type ExportRequest, requestFromQuery } from '../exports/request.ts';
import type { ExportSlots } from '../exports/slots.ts';

/** `pool` is the exports' own pool. */
export interface ExportRouteDeps { authenticate: Authenticate; pool: Pool; semantic: SemanticLayer; redis: Redis; slots: ExportSlots }

type Open = (req: ExportRequest) => Promise<Table>;

async function answer(reply: FastifyReply, deps: ExportRouteDeps, ctx: SemanticContext, request: () => ExportRequest, open: Open = (req) => openExport(deps, ctx, req)) {
  let req: ExportRequest;
  let table;
  let release = () => {};
  try {
    req = request();
    release = deps.slots.take(ctx.workspaceId);
    table = await open(req);
  } catch (e) {
    release();
    throw e; // an ApiError becomes a 400 or 429 naming the parameter (server.ts)
  }
  // The slot is held until the response ends, read to the end or abandoned.
  reply.raw.once('close', release);
  return sendTable(reply, req, table);
}

export function exportRoutes(app: FastifyInstance, deps: ExportRouteDeps) {
  const read = { preHandler: authenticated(deps.authenticate) };
  app.get<{ Params: { shape: string } }>('/v1/exports/:shape', read, (request, reply) =>
    answer(reply, deps, { workspaceId: request.identity!.workspaceId, restriction: request.identity!.restriction }, () => requestFromQuery(request.params.shape, request.query as Record<string, unknown>)));

  // The organization's FOCUS export: a section per workspace where the caller may run exports (organizationReach).
  app.get('/v1/organization/exports/focus', read, async (request, reply) => {
    const identity = request.identity!;
    const ctx = { workspaceId: identity.workspaceId, restriction: identity.restriction };
    const reach = await organizationReach(deps.pool, identity, 'exports:run');
    return answer(reply, deps, ctx, () => requestFromQuery('focus', request.query as Record<string, unknown>),
      (req) => openOrganizationFocus(deps, reach.organizationId, reach.workspaces, ctx.restriction, req));
  });

  app.get<{ Params: { token: string } }>(`${DOWNLOAD_PATH}/:token`, async (request, reply) => {
    const link = await readLink(deps.redis, request.params.token);
    if (!link) return reply.code(404).send({ error: 'not_found', message: 'unknown or expired export link; ask createExport for a new one' });
    return answer(reply, deps, { workspaceId: link.workspaceId, restriction: link.restriction }, () => link.request);
  });
}
