// POST /v1/callbacks/litellm — LiteLLM's generic logging callback: point it at the API and every
// call the gateway makes is recorded, no code. In LiteLLM's config:
//   callback_settings: { spendgraph: { callback_type: generic_api, endpoint: <api>/v1/callbacks/litellm,
//                        headers: { Authorization: "Bearer <ingest key>" } } }
// Its three log formats are read: a JSON array (the default), NDJSON, or one object per request.
import type { FastifyInstance } from 'fastify';
import { type Authenticate, authenticated } from '../auth.ts';
import { type IngestQueue, acceptEvents, sendAcceptResult } from '../ingest/accept-events.ts';
import { litellmToUsageEvent } from '../ingest/litellm.ts';
import { parseNdjson } from '../ndjson.ts';
import { decodeUtf8 } from '../utf8-body.ts';

/** JSON (an array or one object), else NDJSON: LiteLLM sends its formats under the same content type. */
function parseRecords(text: string): unknown[] | string {
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    const lines = parseNdjson(text);
    return lines.ok ? lines.items : `the body is not a JSON array, a JSON object or NDJSON of LiteLLM logging payloads (${lines.message})`;
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
    callbacks.post('/v1/callbacks/litellm', { preHandler: authenticated(deps.authenticate) }, async (request, reply) => {
      const records = parseRecords(typeof request.body === 'string' ? request.body : '');
      if (typeof records === 'string') return reply.code(400).send({ error: 'invalid_request', field: 'body', message: records });
      const bad = records.findIndex((r) => typeof r !== 'object' || r === null || Array.isArray(r));
      if (bad >= 0) return reply.code(400).send({ error: 'invalid_request', field: `${bad}`, message: `${bad}: a LiteLLM logging payload is a JSON object` });
      const events = records.map((r) => litellmToUsageEvent(r as Record<string, unknown>));
      return sendAcceptResult(reply, await acceptEvents(deps.queue, request.identity!, events, request.log));
    });
  });
}
