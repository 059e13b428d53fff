// GET /openapi.json — the REST API described in OpenAPI 3.1 (openapi/document.ts); /reference/ —
// the same rendered as a browsable reference by Scalar, whose script the API serves itself
// (no CDN, no web fonts: air-gapped installs see the same page).
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import scalar from '@scalar/fastify-api-reference';
import { buildOpenApiDocument } from '../openapi/document.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function openApiRoutes(app: FastifyInstance) {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined; // built on first request: it never changes
  app.get('/openapi.json', async () => (document ??= buildOpenApiDocument(version)));
  app.register(scalar, {
    routePrefix: '/reference',
    configuration: { url: '/openapi.json', withDefaultFonts: false, pageTitle: 'Spendgraph API reference', hideClientButton: false },
    logLevel: 'warn',
  });
}
