// Revenue for margins (issue 17): POST /v1/revenue takes a JSON array of entries
// (`{id, day, customer_id?, feature?, plan_id?, amount, currency?}`) or, as text/csv, a file with
// those columns; POST /v1/revenue/stripe takes a Stripe-shaped invoice event (`invoice.paid`:
// one entry per line). An entry is stored once per id. Input that cannot be read is refused whole
// with 400 naming the field (and the CSV line).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseRevenueCsv, parseRevenueJson, parseStripeInvoiceEvent } from '@spendgraph/billing';
import { type Pool, insertRevenue } from '@spendgraph/db';
import type { RevenueEntry, RevenueSource } from '@spendgraph/schema';
import { type Authenticate, authenticated } from '../auth.ts';
import { audited } from '../audit.ts';
import { refuseUnreadable } from './bills.ts';

type Read = { entries: RevenueEntry[] | null; source: RevenueSource } | FastifyReply;

function read(reply: FastifyReply, parse: () => { entries: RevenueEntry[] | null; source: RevenueSource }): Read {
  try {
    return parse();
  } catch (e) {
    return refuseUnreadable(reply, e);
  }
}

export function revenueRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; pool: Pool }) {
  app.register(async (revenue) => {
    // The body as it came: JSON money must not pass through floats, CSV is not JSON at all.
    revenue.removeAllContentTypeParsers();
    revenue.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const signedIn = { preHandler: authenticated(deps.authenticate) }; // authz.ts: economics:manage

    async function store(request: FastifyRequest, reply: FastifyReply, result: Read) {
      if (!('source' in result)) return result;
      if (result.entries === null) return reply.code(202).send({ stored: 0, duplicates: 0, ignored: true });
      const identity = request.identity!;
      const actor = { workspaceId: identity.workspaceId, keyId: identity.keyId, userId: identity.userId };
      const outcome = await audited(deps.pool, actor, 'importRevenue', { targetType: 'revenue' }, { source: result.source },
        (db) => insertRevenue(db, identity.workspaceId, result.source, result.entries!));
      return reply.code(201).send(outcome);
    }

    revenue.post('/v1/revenue', signedIn, async (request, reply) => {
      const body = typeof request.body === 'string' ? request.body : '';
      const csv = String(request.headers['content-type'] ?? '').startsWith('text/csv');
      return store(request, reply, read(reply, () => (csv ? { entries: parseRevenueCsv(body), source: 'csv' } : { entries: parseRevenueJson(body), source: 'api' })));
    });
    revenue.post('/v1/revenue/stripe', signedIn, async (request, reply) => {
      const body = typeof request.body === 'string' ? request.body : '';
      return store(request, reply, read(reply, () => ({ entries: parseStripeInvoiceEvent(body), source: 'stripe' })));
    });
  });
}
