// The OpenAPI document: valid OpenAPI 3.1 (a maintained validator), served with its reference page
// from the API itself, describing every route Fastify registers — and saying what the validators
// say: each request example and hundreds of mutations of it are accepted or refused alike by the
// route's zod schema and by the document's JSON Schema.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform } from '@spendgraph/test-support/platform';
import { buildOpenApiDocument, openApiPath, undescribedRules } from '../src/openapi/document.ts';
import { OPERATIONS, operationOf } from '../src/openapi/operations.ts';
import { registeredRoutes } from './routes.ts';

let p: Platform;
let routes: Array<{ method: string; url: string }>;
beforeAll(async () => {
  p = await startPlatform({ worker: false });
  routes = await registeredRoutes(p.env);
}, 240_000);
afterAll(async () => p?.stop());

const doc = buildOpenApiDocument('test') as any;

describe('the document', () => {
  it('is valid OpenAPI 3.1, and is what GET /openapi.json serves', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const res = await fetch(`${p.apiUrl}/openapi.json`);
    expect(res.status).toBe(200);
    const served = await res.json() as any;
    expect(served.openapi).toBe('3.1.0');
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(doc.paths).sort());
  });

  it('renders a reference page whose script the API serves itself (nothing from a CDN)', async () => {
    const page = await fetch(`${p.apiUrl}/reference/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const sources = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) expect(s, 'a page asset').not.toMatch(/^(https?:)?\/\//);
    expect(html).toContain('/openapi.json');
    const script = await fetch(`${p.apiUrl}/reference/js/scalar.js`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });

  it('describes every route Fastify registers, and no route that does not exist', () => {
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.filter((r) => {
      const op = operationOf(r.method, r.url);
      return !op || op.summary.trim().length < 3 || op.description.trim().length < 10;
    }).map((r) => `${r.method} ${r.url}`);
    expect(missing, 'add these to apps/api/src/openapi/operations.ts').toEqual([]);
    const registered = new Set(routes.flatMap((r) => [`${r.method} ${r.url}`, `* ${r.url}`]));
    expect(Object.keys(OPERATIONS).filter((k) => !registered.has(k)), 'described but not registered').toEqual([]);
    expect(undescribedRules(), 'rules in authz.ts without a description').toEqual([]);
    for (const r of routes) expect(doc.paths[openApiPath(r.url)], r.url).toBeDefined();
  });

  it('states each protected route’s permission as authz.ts enforces it, and public ones need no credential', () => {
    expect(doc.paths['/v1/events'].post['x-permission']).toBe('events:ingest');
    expect(doc.paths['/v1/audit-log'].get['x-permission']).toBe('audit:read');
    expect(doc.paths['/v1/setup'].post.security).toEqual([]);
    expect(doc.paths['/health'].get.security).toEqual([]);
  });
});

// --- drift: the document's JSON Schemas against the zod schemas the routes validate with ---

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
// ajv-formats is CommonJS: its default export is the module object under Node's ESM.
formats.default(ajv);
ajv.addSchema(doc, 'openapi');
const pointer = (...parts: string[]) => `openapi#/${parts.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const REPLACEMENTS: Json[] = [null, 12345, -1, 1.5, 'x', '', {}, [], true];

/** The example, and the example with one value removed, replaced by another type, or one unknown key added, at every path. */
function* mutations(value: Json, path: string[] = []): Generator<{ path: string; value: Json }> {
  if (path.length === 0) yield { path: '(example)', value };
  const here = (v: Json) => ({ path: path.join('.') || '(root)', value: v });
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      for (const m of mutations(value[i]!, [...path, String(i)])) yield { path: m.path, value: value.map((x, j) => (j === i ? m.value : x)) };
    }
    yield here([]);
  } else if (value && typeof value === 'object') {
    yield here({ ...value, zz_unknown: 1 });
    for (const [k, v] of Object.entries(value)) {
      const { [k]: _, ...rest } = value;
      yield { path: [...path, k].join('.'), value: rest };
      for (const r of REPLACEMENTS) yield { path: [...path, k].join('.'), value: { ...value, [k]: r } };
      for (const m of mutations(v, [...path, k])) if (m.path !== '(example)') yield { path: m.path, value: { ...value, [k]: m.value } };
    }
  }
}

/**
 * Where zod checks more than JSON Schema can say (a refinement, or a check after a transform):
 * the document may accept what zod refuses there, never the reverse.
 */
const REFINED: Record<string, RegExp> = {
  'POST /v1/events': /^(0\.)?(provider|model)$/, // required for kind model_call (a superRefine)
  'POST /api/v1/events': /^(0\.)?(provider|model)$/,
  'POST /v1/sso/start': /^email$/, // the e-mail or the domain (a refine)
};

const bodies = Object.entries(OPERATIONS).flatMap(([key, op]) => {
  const content = (op.request?.body?.content ?? {}) as Record<string, { schema?: unknown; example?: Json }>;
  return Object.entries(content).flatMap(([type, media]) => (media.example !== undefined && typeof (media.schema as z.ZodType)?.safeParse === 'function'
    ? [{ key, type, schema: media.schema as z.ZodType, example: media.example }] : []));
});

describe('request bodies agree with their validators', () => {
  it('covers every JSON body that has a zod schema', () => expect(bodies.length).toBeGreaterThanOrEqual(10));

  it.each(bodies)('$key $type', ({ key, type, schema, example }) => {
    const [method, url] = key.split(' ') as [string, string];
    const m = method === '*' ? 'post' : method.toLowerCase();
    const validate = ajv.getSchema(pointer('paths', openApiPath(url), m, 'requestBody', 'content', type, 'schema'))!;
    expect(validate).toBeDefined();
    const drift: string[] = [];
    let checked = 0;
    for (const { path, value } of mutations(example)) {
      const byZod = schema.safeParse(structuredClone(value)).success;
      const byDoc = validate(structuredClone(value)) as boolean;
      checked++;
      if (path === '(example)') expect([byZod, byDoc], 'the example is valid under both').toEqual([true, true]);
      if (byZod === byDoc) continue;
      if (!byZod && byDoc && REFINED[key]?.test(path)) continue;
      drift.push(`${path} = ${JSON.stringify(value).slice(0, 160)}: zod ${byZod ? 'accepts' : 'refuses'}, the document ${byDoc ? 'accepts' : 'refuses'}`);
    }
    expect(checked).toBeGreaterThan(10);
    expect(drift).toEqual([]);
  });
});
