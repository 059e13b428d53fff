// POST /v1/traces — OTLP/HTTP trace export (JSON or protobuf, optionally gzip): the GenAI spans
// become usage events through acceptEvents like every other ingest route. Point an exporter at
// the API: OTEL_EXPORTER_OTLP_ENDPOINT=<api> OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <key>".
import { createGunzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type Authenticate, authenticated } from '../auth.ts';
import { type IngestQueue, acceptEvents, sendAcceptResult } from '../ingest/accept-events.ts';
import { OtlpDecodeError, decodeTraceRequest } from '../otlp/decode.ts';
import { type OtlpTraceRequest, spansToEvents } from '../otlp/spans.ts';
import { otlpTraceRequestSchema } from '../otlp/schema.ts';
import { issuePath } from '@spendgraph/budgets';

const PROTOBUF = 'application/x-protobuf';

/** OTLP success: an empty ExportTraceServiceResponse in the request's encoding. */
function exported(reply: FastifyReply, protobuf: boolean) {
  return protobuf ? reply.code(200).header('content-type', PROTOBUF).send(Buffer.alloc(0)) : reply.code(200).send({});
}

export function otlpRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; queue: IngestQueue }) {
  app.register(async (otlp) => {
    otlp.addContentTypeParser(PROTOBUF, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    otlp.addHook('preParsing', async (request, _reply, payload) => {
      if (request.headers['content-encoding'] !== 'gzip') return payload;
      const inflated = payload.pipe(createGunzip()) as typeof payload;
      // Fastify checks the bytes received against content-length, which counts the compressed body.
      inflated.receivedEncodedLength = Number(request.headers['content-length'] ?? 0);
      return inflated;
    });
    otlp.post('/v1/traces', { preHandler: authenticated(deps.authenticate) }, async (request, reply) => {
      const protobuf = (request.headers['content-type'] ?? '').startsWith(PROTOBUF);
      let body: OtlpTraceRequest;
      try {
        body = protobuf ? decodeTraceRequest(request.body as Buffer) : (request.body as OtlpTraceRequest);
      } catch (e) {
        if (!(e instanceof OtlpDecodeError)) throw e;
        return reply.code(400).send({ error: 'invalid_request', message: e.message });
      }
      const checked = otlpTraceRequestSchema.safeParse(body);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        const path = issue.path.length ? issuePath(issue.path) : 'resourceSpans';
        return reply.code(400).send({ error: 'invalid_request', field: path, message: `${path}: ${issue.message} (an OTLP ExportTraceServiceRequest)` });
      }
      const events = spansToEvents(checked.data as OtlpTraceRequest);
      if (events.length === 0) return exported(reply, protobuf); // no GenAI spans: nothing to store
      const result = await acceptEvents(deps.queue, request.identity!, events, request.log);
      return result.status === 'accepted' ? exported(reply, protobuf) : sendAcceptResult(reply, result);
    });
  });
}
