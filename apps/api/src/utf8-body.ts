// Request bodies must be valid UTF-8. Node's default decoding replaces bad bytes
// with U+FFFD, which would store altered text under a 202; refuse it with a 400.
import type { FastifyInstance } from 'fastify';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The body as text; a 400 error when it is not valid UTF-8. */
export function decodeUtf8(body: Buffer): string {
  try {
    return decoder.decode(body);
  } catch {
    throw Object.assign(new Error('the body is not valid UTF-8'), { statusCode: 400 });
  }
}

/** Replaces Fastify's JSON parser by one that checks the encoding first (same JSON rules otherwise). */
export function strictUtf8Json(app: FastifyInstance, types: string[] = ['application/json']) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  for (const type of types) if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
  app.addContentTypeParser(types, { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = decodeUtf8(body as Buffer);
    } catch (err) {
      return done(err as Error, undefined);
    }
    parseJson(request, text, done);
  });
}
