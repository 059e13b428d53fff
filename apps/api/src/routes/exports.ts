// GET /v1/exports/{breakdown|timeseries|events|focus}?format=csv|json|ndjson&... — a
// query's result as a file (read scope), streamed; GET /v1/exports/download/:token —
// an export whose link GraphQL's createExport made (the token is the credential).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { GraphQLError } from 'graphql';
import type { Pool } from '@spendgraph/db';
import type { Redis } from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';
import { type Authenticate, requireScope } from '../auth.ts';
import { DOWNLOAD_PATH, readLink } from '../exports/links.ts';
import { openExport, sendTable } from '../exports/open.ts';
import { type ExportRequest, requestFromQuery } from '../exports/request.ts';
import type { ExportSlots } from '../exports/slots.ts';

/** `pool` is the exports' own pool. */
export interface ExportRouteDeps { authenticate: Authenticate; pool: Pool; semantic: SemanticLayer; redis: Redis; slots: ExportSlots }

/** The REST parameter behind a GraphQL argument path (`timeRange.from` is `from` here). */
const REST_FIELDS: Record<string, string> = { 'timeRange': 'from', 'timeRange.relative': 'relative', 'timeRange.from': 'from', 'timeRange.to': 'to', 'sort.measure': 'sort' };

async function answer(reply: FastifyReply, deps: ExportRouteDeps, workspaceId: string, request: () => ExportRequest) {
  let req: ExportRequest;
  let table;
  let release = () => {};
  try {
    req = request();
    release = deps.slots.take(workspaceId);
    table = await openExport(deps, { workspaceId }, req);
  } catch (e) {
    release();
    if (!(e instanceof GraphQLError)) throw e;
    if (e.extensions.code === 'RATE_LIMITED') {
      return reply.code(429).header('retry-after', String(e.extensions.retryAfterSeconds)).send({ error: 'rate_limited', message: e.message });
    }
    const field = e.extensions.field === undefined ? undefined : String(e.extensions.field);
    const rest = field && (REST_FIELDS[field] ?? field);
    const message = field && e.message.startsWith(`${field}: `) ? `${rest}: ${e.message.slice(field.length + 2)}` : e.message;
    return reply.code(400).send({ error: 'invalid_request', code: e.extensions.code, ...(rest ? { field: rest } : {}), message });
  }
  // The slot is held until the response ends, read to the end or abandoned.
  reply.raw.once('close', release);
  return sendTable(reply, req, table);
}

export function exportRoutes(app: FastifyInstance, deps: ExportRouteDeps) {
  const read = { preHandler: requireScope(deps.authenticate, ['read', 'admin']) };
  app.get<{ Params: { shape: string } }>('/v1/exports/:shape', read, (request, reply) =>
    answer(reply, deps, request.identity!.workspaceId, () => requestFromQuery(request.params.shape, request.query as Record<string, unknown>)));

  app.get<{ Params: { token: string } }>(`${DOWNLOAD_PATH}/:token`, async (request, reply) => {
    const link = await readLink(deps.redis, request.params.token);
    if (!link) return reply.code(404).send({ error: 'not_found', message: 'unknown or expired export link; ask createExport for a new one' });
    return answer(reply, deps, link.workspaceId, () => link.request);
  });
}
