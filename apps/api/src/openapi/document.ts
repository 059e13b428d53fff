// The OpenAPI 3.1 document of the REST API, generated from OPERATIONS (whose request schemas are
// the routes' own zod validators) by @asteasolutions/zod-to-openapi, and each route's permission
// from authz.ts: the document states who may call what as the API enforces it.
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { ROUTE_RULES, ruleOf } from '../authz.ts';
import { OPERATIONS, type Operation } from './operations.ts';

/** The methods a `* url` route (the proxies) is documented with. */
const ANY_METHOD = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Fastify's `/v1/plans/:id` and `/proxy/openai/*` as OpenAPI paths. */
export const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{path}');

function withRule(method: string, url: string, op: Operation): Operation {
  const rule = ruleOf(method === '*' ? 'POST' : method, url);
  if (!rule) throw new Error(`${method} ${url} is described but has no rule in authz.ts`);
  if ('public' in rule) return { ...op, security: op.security ?? [] };
  const restricted = rule.restricted ? ' Keys restricted to dimension values may call it (their values apply).' : '';
  return { ...op, description: `${op.description}\n\nRequires the \`${rule.permission}\` permission.${restricted}`, 'x-permission': rule.permission };
}

export function buildOpenApiDocument(version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http', scheme: 'bearer', description: 'An API key (sg_…) or a web session (sgs_…). x-spendgraph-workspace names another workspace of a person.',
  });
  registry.registerComponent('securitySchemes', 'proxyKey', { type: 'apiKey', in: 'header', name: 'x-spendgraph-key' });
  registry.registerComponent('securitySchemes', 'operatorToken', { type: 'http', scheme: 'bearer', description: 'The operator token (OPERATOR_TOKEN).' });
  for (const [key, op] of Object.entries(OPERATIONS)) {
    const [method, url] = key.split(' ') as [string, string];
    const described = withRule(method, url, op);
    for (const m of method === '*' ? ANY_METHOD : [method.toLowerCase()]) {
      registry.registerPath({ ...described, method: m as RouteConfig['method'], path: openApiPath(url) });
    }
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Spendgraph API', version,
      description: 'Self-hosted cost intelligence for AI work. Errors are JSON `{error, field?, message}`; GraphQL (/graphql) serves queries and administration.',
    },
    security: [{ bearer: [] }],
  });
}

/** Rules in authz.ts without a description (a route the document would miss). */
export const undescribedRules = () => Object.keys(ROUTE_RULES).filter((k) => !(k in OPERATIONS));
