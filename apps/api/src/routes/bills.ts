// POST /v1/bills/{source} — imports a provider's bill (issue 17, reconciliation): the file as the
// body (openai, anthropic: the cost report's JSON, one page or an array of pages; gcp, focus: CSV).
// It replaces that source's lines for the days the bill covers, so re-importing never double
// counts. A file that cannot be read is refused whole with 400 naming the line and field. The
// worker then checks the imported days' variance against the workspace's alert threshold.
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { BILL_SOURCES, BillParseError, type BillSource, PARSERS } from '@spendgraph/billing';
import { type Pool, importBill } from '@spendgraph/db';
import { queueBillVarianceCheck } from '@spendgraph/queue';
import { type Authenticate, authenticated } from '../auth.ts';
import { audited } from '../audit.ts';

/** A file that cannot be read: 400 naming its field (and line); anything else is rethrown. */
export function refuseUnreadable(reply: FastifyReply, e: unknown) {
  if (!(e instanceof BillParseError)) throw e;
  return reply.code(400).send({ error: 'invalid_request', field: e.field, ...(e.line === undefined ? {} : { line: e.line }), message: e.message });
}

const isSource = (s: string): s is BillSource => (BILL_SOURCES as readonly string[]).includes(s);

export function billRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; pool: Pool; /** Where the worker checks the imported days' variance. */ maintenance: Queue }) {
  app.register(async (bills) => {
    // The file as it came: JSON money must not pass through floats, CSV is not JSON at all.
    bills.removeAllContentTypeParsers();
    bills.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const signedIn = { preHandler: authenticated(deps.authenticate) }; // authz.ts: bills:import
    bills.post<{ Params: { source: string } }>('/v1/bills/:source', signedIn, async (request, reply) => {
      const { source } = request.params;
      if (!isSource(source)) return reply.code(404).send({ error: 'not_found', field: 'source', message: `source: '${source}' is not one of ${BILL_SOURCES.join(', ')}` });
      const text = typeof request.body === 'string' ? request.body : '';
      let bill;
      try {
        bill = PARSERS[source](text);
      } catch (e) {
        return refuseUnreadable(reply, e);
      }
      if (bill.days.length === 0) return reply.code(400).send({ error: 'invalid_request', field: 'body', message: 'body: the bill has no lines and no days' });
      const identity = request.identity!;
      const actor = { workspaceId: identity.workspaceId, keyId: identity.keyId, userId: identity.userId };
      const rule = { targetType: 'provider_bill_import', table: 'provider_bill_imports' };
      const imported = await audited(deps.pool, actor, 'importBill', rule, { source }, (db) =>
        importBill(db, { workspaceId: identity.workspaceId, source, via: 'upload', days: bill.days, lines: bill.lines }));
      await queueBillVarianceCheck(deps.maintenance, { workspaceId: identity.workspaceId, from: imported.firstDay, to: imported.lastDay });
      return reply.code(201).send({ import: imported });
    });
  });
}
