// GET /openapi.json — the REST API described in OpenAPI 3.1 (openapi/document.ts); /reference/ —
// the same rendered as a browsable reference by Scalar, whose script the API serves itself
// (no CDN, no web fonts: air-gapped installs see the same page).
// Both are built on first request: Scalar's plugin holds its 4.8 MB script in memory (~20 MB of
// RSS with its module), and the document builder loads zod-to-openapi: a process nobody reads
// the reference of never pays for them.
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { buildOpenApiDocument } from '../openapi/document.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Scalar's routes, as its plugin registers them under /reference. */
const REFERENCE_ROUTES = ['/reference', '/reference/', '/reference/js/scalar.js'];

/** An unlisted Fastify instance with Scalar's plugin: its answers are passed on as they are. */
async function referenceApp(): Promise<FastifyInstance> {
  const { default: scalar } = await import('@scalar/fastify-api-reference');
  const inner = Fastify({ logger: false });
  await inner.register(scalar, {
    routePrefix: '/reference',
    configuration: { url: '/openapi.json', withDefaultFonts: false, pageTitle: 'Spendgraph API reference', hideClientButton: false },
  });
  await inner.ready();
  return inner;
}

export function openApiRoutes(app: FastifyInstance) {
  let document: Promise<ReturnType<typeof buildOpenApiDocument>> | undefined; // it never changes
  app.get('/openapi.json', async () => {
    document ??= import('../openapi/document.ts').then(({ buildOpenApiDocument }) => buildOpenApiDocument(version));
    return document;
  });
  let reference: Promise<FastifyInstance> | undefined;
  app.addHook('onClose', async () => void (await (await reference?.catch(() => undefined))?.close()));
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    reference ??= referenceApp().catch((err) => {
      reference = undefined;
      throw err;
    });
    const res = await (await reference).inject({ method: 'GET', url: request.url, headers: { host: request.headers.host ?? 'localhost' } });
    for (const name of ['content-type', 'location', 'cache-control']) if (res.headers[name] !== undefined) reply.header(name, res.headers[name]);
    return reply.code(res.statusCode).send(res.rawPayload);
  };
  for (const url of REFERENCE_ROUTES) app.get(url, { logLevel: 'warn' }, forward);
}
