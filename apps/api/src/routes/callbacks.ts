// POST /v1/callbacks/litellm — LiteLLM's generic logging callback: point it at the API and every
// call the gateway makes is recorded, no code. In LiteLLM's config:
//   callback_settings: { spendgraph: { callback_type: generic_api, endpoint: <api>/v1/callbacks/litellm,
//                        headers: { Authorization: "Bearer <ingest key>" } } }
// Its three log formats are read: a JSON array (the default), NDJSON, or one object per request.
// POST /v1/callbacks/helicone/:token — Helicone's webhook. Helicone sends no header of ours, so the
// key rides in the path (use an ingest-only key, restricted if you can; the URL is the secret).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Authenticate, authenticated } from '../auth.ts';
import { type IngestQueue, acceptEvents, sendAcceptResult } from '../ingest/accept-events.ts';
import { heliconeToUsageEvent } from '../ingest/helicone.ts';
import { litellmToUsageEvent } from '../ingest/litellm.ts';
import { parseNdjson } from '../ndjson.ts';
import { decodeUtf8 } from '../utf8-body.ts';

/** A key in the path (Helicone's webhook cannot send headers) stands for the Authorization header when there is none. */
async function keyFromPath(request: FastifyRequest) {
  const { token } = request.params as { token?: string };
  if (token && !request.headers.authorization) request.headers.authorization = `Bearer ${token}`;
}

/** JSON (an array or one object), else NDJSON: LiteLLM sends its formats under the same content type. */
function parseRecords(text: string): unknown[] | string {
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    const lines = parseNdjson(text);
    return lines.ok ? lines.items : `the body is not a JSON array, a JSON object or NDJSON (${lines.message})`;
  }
}

export function callbackRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; queue: IngestQueue }) {
  app.register(async (callbacks) => {
    callbacks.removeAllContentTypeParsers();
    callbacks.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
      try {
        done(null, decodeUtf8(body as Buffer));
      } catch (err) {
        done(err as Error);
      }
    });
    const gateways = [
      { url: '/v1/callbacks/litellm', name: 'LiteLLM logging payload', map: litellmToUsageEvent },
      { url: '/v1/callbacks/helicone/:token', name: 'Helicone webhook payload', map: heliconeToUsageEvent },
    ];
    for (const g of gateways) {
      callbacks.post(g.url, { preHandler: [keyFromPath, authenticated(deps.authenticate)] }, async (request, reply) => {
        const records = parseRecords(typeof request.body === 'string' ? request.body : '');
        if (typeof records === 'string') return reply.code(400).send({ error: 'invalid_request', field: 'body', message: records });
        const bad = records.findIndex((r) => typeof r !== 'object' || r === null || Array.isArray(r));
        if (bad >= 0) return reply.code(400).send({ error: 'invalid_request', field: `${bad}`, message: `${bad}: a ${g.name} is a JSON object` });
        const events = records.map((r) => g.map(r as Record<string, unknown>));
        return sendAcceptResult(reply, await acceptEvents(deps.queue, request.identity!, events, request.log));
      });
    }
  });
}
