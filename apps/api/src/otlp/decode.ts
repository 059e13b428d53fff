// OTLP/HTTP protobuf trace requests into the OTLP/JSON shape (ids as hex, nanoseconds as strings),
// so one mapping serves both encodings.
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { OtlpTraceRequest } from './spans.ts';

const root = protobuf.parse(readFileSync(new URL('./trace.proto', import.meta.url), 'utf8'), { keepCase: false }).root;
const Request = root.lookupType('opentelemetry.proto.ExportTraceServiceRequest');

export class OtlpDecodeError extends Error {}

export function decodeTraceRequest(body: Uint8Array): OtlpTraceRequest {
  let message;
  try {
    message = Request.decode(body);
  } catch (e: any) {
    throw new OtlpDecodeError(`the body is not an OTLP ExportTraceServiceRequest: ${e.message}`);
  }
  // bytes as base64, then hex below (OTLP/JSON carries ids as hex); 64-bit integers as decimal strings.
  const o = Request.toObject(message, { longs: String, bytes: String, oneofs: false });
  for (const rs of o.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        s.traceId = Buffer.from(s.traceId ?? '', 'base64').toString('hex');
        s.spanId = Buffer.from(s.spanId ?? '', 'base64').toString('hex');
      }
    }
  }
  return o as OtlpTraceRequest;
}
