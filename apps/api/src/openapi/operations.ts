// Every REST route's description for the OpenAPI document, keyed like authz.ts's ROUTE_RULES
// (`METHOD url` as Fastify registers it, `* url` for every method). Request bodies and query
// strings are the zod schemas the routes validate with, so the document cannot say one thing
// while the route checks another (apps/api/test/openapi.test.ts fails on a route missing here
// and on a schema whose JSON Schema accepts what zod refuses, or the reverse).
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { BILL_SOURCES, MAX_REVENUE_ENTRIES, revenueEntrySchema } from '@spendgraph/billing';
import { poolImportQuerySchema } from '../routes/cost-pools.ts';
import { CLOUDEVENTS_BATCH, CLOUDEVENTS_STRUCTURED, MAX_BATCH_EVENTS, cloudEventSchema, planUpsertSchema, taskUpsertSchema, usageEventInputSchema, workEntityIdSchema, workItemUpsertSchema } from '@spendgraph/schema';
import { otlpTraceRequestSchema } from '../otlp/schema.ts';
import { passwordSignInSchema } from '../routes/sign-in.ts';
import { switchSchema } from '../routes/sessions.ts';
import { setupSchema } from '../routes/first-run.ts';
import { acceptSchema, auditQuerySchema } from '../routes/people.ts';
import { callbackSchema, startSchema } from '../routes/sso.ts';
import { FORMATS, SHAPES, exportQuerySchema } from '../exports/request.ts';
import { DECISION_SCHEMA, MAX_LISTED } from '../guard/check.ts';
import { acceptedSchema, errorSchema, graphqlRequestSchema, invalidEventsSchema, meSchema, sessionSchema, workEntitySchema } from './shapes.ts';

export type Operation = Omit<RouteConfig, 'method' | 'path'> & { summary: string; description: string };

type Responses = RouteConfig['responses'];
const json = (schema: z.ZodType | Record<string, unknown>, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(errorSchema, description);
const fail = (codes: Record<number, string>): Responses => Object.fromEntries(Object.entries(codes).map(([c, d]) => [c, error(d)]));
const signedIn = { 401: 'no credential, or an unknown, expired or revoked one', 403: 'the credential lacks the permission, or another workspace was named' };

/** What an export route answers: the file in the format asked for, or why not. */
const exportResponses = {
  200: {
    description: `the rows (${FORMATS.join(', ')})`,
    content: { 'text/csv': { schema: { type: 'string' as const } }, 'application/json': { schema: { type: 'array' as const } }, 'application/x-ndjson': { schema: { type: 'string' as const } } },
  },
  ...fail({ 400: 'a parameter is invalid (field names it)', ...signedIn, 429: 'too many exports running for this workspace' }),
};
const body = (schema: z.ZodType, example: unknown, contentType = 'application/json') => ({ body: { required: true, content: { [contentType]: { schema, example } } } });

/** An event batch: what POST /v1/events accepts (each item checked by usageEventInputSchema; parseEventBatch). */
export const eventBatchSchema = z.array(usageEventInputSchema).min(1).max(MAX_BATCH_EVENTS);

export const EVENT_EXAMPLE = {
  id: '0b6c3a8e-6a4f-4f1e-9c64-2f7f0e1f4b10', occurred_at: '2026-05-04T10:00:00Z', provider: 'anthropic', model: 'claude-sonnet-4-5',
  usage: { input_tokens: 1200, output_tokens: 300, cache_read_tokens: 800 }, user_id: 'ana', agent: 'coder', feature: 'review',
  tags: { repo: 'api' },
};

export const CLOUDEVENT_EXAMPLE = {
  specversion: '1.0', type: 'prompt', id: '00001', time: '2026-05-04T10:00:00.001Z', source: 'chat-app', subject: 'customer-1',
  data: { provider: 'openai', model: 'gpt-4o', prompt_tokens: 1200, completion_tokens: 300, feature: 'chat' },
};

const ingestResponses: Responses = {
  202: json(acceptedSchema, 'every event was valid and is queued; each is stored once, whatever the retries'),
  400: json(invalidEventsSchema, 'no event was accepted: every problem is listed with the event’s index and the field’s path'),
  ...fail({ ...signedIn, 413: 'the body is larger than the API’s body limit', 503: 'the ingest queue is unavailable; nothing was accepted, retry' }),
};

const workRoute = (kind: string, schema: z.ZodType, example: unknown): [Operation, Operation] => [{
  summary: `Create or update a ${kind}`,
  description: `Upserts the ${kind} with this id (the workspace's own id, as events carry it). Absent fields keep their stored value; null clears one.`,
  tags: ['Work'],
  request: { params: z.object({ id: workEntityIdSchema }), ...body(schema, example) },
  responses: { 200: json(workEntitySchema, `the ${kind} as stored`), ...fail({ 400: 'a field is invalid (issues lists each)', ...signedIn }) },
}, {
  summary: `List ${kind}s`,
  description: `Every ${kind} of the workspace.`,
  tags: ['Work'],
  responses: { 200: json(z.object({ data: z.array(workEntitySchema) }), `the ${kind}s`), ...fail(signedIn) },
}];

const [putPlan, getPlans] = workRoute('plan', planUpsertSchema, { name: 'Q3 migration', status: 'in_progress', owner: 'ana' });
const [putTask, getTasks] = workRoute('task', taskUpsertSchema, { plan_id: 'q3-migration', task_type: 'refactor', estimate: '3.5' });
const [putWorkItem, getWorkItems] = workRoute('work item', workItemUpsertSchema, { title: 'Fix login', repository: 'acme/web', url: 'https://example.com/acme/web/issues/42' });

const proxy = (provider: string): Operation => ({
  summary: `${provider} API through Spendgraph`,
  description: `Forwards the request to the configured ${provider}-compatible upstream unchanged (its own Authorization header goes through), ` +
    'refuses it with 402 when a hard budget is exhausted, streams the answer back and records the call’s usage. ' +
    'The Spendgraph key goes in x-spendgraph-key (or Helicone-Auth); x-spendgraph-* headers tag the call.',
  tags: ['Ingest'],
  security: [{ proxyKey: [] }],
  request: { params: z.object({ path: z.string().describe(`the upstream path, e.g. ${provider === 'OpenAI' ? 'v1/chat/completions' : 'v1/messages'}`) }) },
  responses: { 200: { description: 'the upstream’s answer, as it came' }, ...fail({ 401: 'no or unknown Spendgraph key', 402: 'a hard budget blocks this call', 403: 'the key may not ingest' }) },
});

const graphql = (what: string): [Operation, Operation] => {
  const base = { tags: ['GraphQL'], responses: { 200: json(z.object({ data: z.unknown(), errors: z.array(z.unknown()).optional() }), 'the GraphQL result'), ...fail(signedIn) } };
  return [
    { ...base, summary: `${what} (query string)`, description: `${what}: a query as ?query=&variables=&operationName= (queries only).`, request: { query: z.object({ query: z.string(), variables: z.string().optional(), operationName: z.string().optional() }) } },
    { ...base, summary: what, description: `${what}: queries and mutations as a JSON body.`, request: body(graphqlRequestSchema, { query: '{ me { workspaceId } }' }) },
  ];
};
const [getGraphql, postGraphql] = graphql('The GraphQL API (breakdowns, timeseries, budgets, people, keys…)');
const [getCube, postCube] = graphql('Cube’s own GraphQL schema over the semantic layer');

const postEvents: Operation = {
  summary: 'Record usage events',
  description: `A batch of usage events (model calls, tools, retrieval, infrastructure), at most ${MAX_BATCH_EVENTS}: a JSON array, or NDJSON with one event per line. ` +
    'All or nothing: one invalid event refuses the batch. Events with the same id (or, without one, the same content) are stored once, so retries are safe.\n\n' +
    'CloudEvents 1.0 are accepted too (structured: one event as application/cloudevents+json; batch: an array as application/cloudevents-batch+json), ' +
    'as OpenMeter users send them: id + source are the idempotency key, subject is the customer (customer_id), time the moment, and data carries provider, ' +
    'model, token counts (input_tokens…, prompt_tokens/completion_tokens, or tokens + type input/output), cost, context fields and tags; other scalar data fields become tags.',
  tags: ['Ingest'],
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: eventBatchSchema, example: [EVENT_EXAMPLE] },
        'application/x-ndjson': { schema: usageEventInputSchema, example: EVENT_EXAMPLE },
        [CLOUDEVENTS_STRUCTURED]: { schema: cloudEventSchema, example: CLOUDEVENT_EXAMPLE },
        [CLOUDEVENTS_BATCH]: { schema: z.array(cloudEventSchema).min(1).max(MAX_BATCH_EVENTS), example: [CLOUDEVENT_EXAMPLE] },
      },
    },
  },
  responses: ingestResponses,
};

const auditQuery = auditQuerySchema;

export const OPERATIONS: Record<string, Operation> = {
  'GET /health': { summary: 'Liveness', description: 'The process serves requests.', tags: ['Operations'], responses: { 200: json(z.object({ status: z.literal('ok') }), 'alive') } },
  'GET /ready': {
    summary: 'Readiness', description: 'Whether the API can accept events (Redis) and serve data (Postgres).', tags: ['Operations'],
    responses: Object.fromEntries([[200, 'ready'], [503, 'a dependency is unavailable']].map(([c, d]) => [c, json(z.object({ status: z.enum(['ok', 'unavailable']), postgres: z.enum(['ok', 'unavailable']), redis: z.enum(['ok', 'unavailable']) }), String(d))])),
  },
  'GET /metrics': {
    summary: 'Prometheus metrics', description: 'Request durations, ingest counts and queue depths, for the operator (Authorization: Bearer <OPERATOR_TOKEN>).', tags: ['Operations'],
    security: [{ operatorToken: [] }],
    responses: { 200: { description: 'the Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, ...fail({ 401: 'not the operator token' }) },
  },
  'GET /openapi.json': {
    summary: 'This document', description: 'The OpenAPI 3.1 description of the REST API; /reference renders it.', tags: ['Operations'],
    responses: { 200: json({ type: 'object' }, 'the OpenAPI document') },
  },
  'GET /reference': { summary: 'API reference (redirect)', description: 'Redirects to /reference/.', tags: ['Operations'], responses: { 301: { description: 'to /reference/' } } },
  'GET /reference/': {
    summary: 'API reference', description: 'This document rendered as a browsable reference (Scalar, served by the API itself: no CDN).', tags: ['Operations'],
    responses: { 200: { description: 'an HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
  },
  'GET /reference/js/scalar.js': {
    summary: 'API reference script', description: 'The reference page’s script, bundled with the API.', tags: ['Operations'],
    responses: { 200: { description: 'JavaScript', content: { 'application/javascript': { schema: { type: 'string' } } } } },
  },

  'POST /v1/events': postEvents,
  'POST /api/v1/events': {
    ...postEvents, summary: 'Record usage events (OpenMeter’s path)',
    description: `POST /v1/events at OpenMeter’s path: point OpenMeter clients (LiteLLM’s OpenMeter callback: OPENMETER_API_ENDPOINT) at the API.\n\n${postEvents.description}`,
  },
  'POST /v1/traces': {
    summary: 'OTLP/HTTP trace export',
    description: 'OpenTelemetry spans (OTLP/JSON or protobuf, optionally gzip). Spans with gen_ai.* token counts become usage events; other spans are ignored. ' +
      'Point an exporter at the API: OTEL_EXPORTER_OTLP_ENDPOINT=<api>, OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <key>".',
    tags: ['Ingest'],
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: otlpTraceRequestSchema, example: { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', startTimeUnixNano: '1795000000000000000', attributes: [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '10' } }] }] }] }] } },
          'application/x-protobuf': { schema: { type: 'string', contentEncoding: 'binary' } },
        },
      },
    },
    responses: { 200: json(z.object({}), 'an empty ExportTraceServiceResponse (protobuf when the request was)'), ...ingestResponses },
  },
  'POST /v1/callbacks/litellm': {
    summary: 'LiteLLM logging callback',
    description: 'LiteLLM’s generic logging callback (callback_type: generic_api, endpoint <api>/v1/callbacks/litellm, header Authorization: Bearer <ingest key>): ' +
      'StandardLoggingPayload records as a JSON array, NDJSON or one object. Each becomes a usage event: provider and model, token counts, ' +
      'response_cost kept as the supplied cost, the key’s user as user_id, end_user as customer_id, spend_logs_metadata as context or tags.',
    tags: ['Ingest'],
    request: { body: { required: true, content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } } } },
    responses: ingestResponses,
  },
  'POST /v1/callbacks/helicone/:token': {
    summary: 'Helicone webhook',
    description: 'Helicone’s webhook payload (request_id, request_body, response_body; with “include data”: model, provider, user_id, metadata.cost…). ' +
      'Helicone sends no header of ours: the key goes in the path (an ingest-only key; Authorization wins when present). Usage is read from the ' +
      'provider’s response, Helicone’s cost kept as the supplied cost.',
    tags: ['Ingest'],
    security: [],
    request: { params: z.object({ token: z.string().describe('an API key with events:ingest') }), body: { required: true, content: { 'application/json': { schema: { type: 'object' } } } } },
    responses: ingestResponses,
  },
  '* /proxy/openai/*': proxy('OpenAI'),
  '* /proxy/anthropic/*': proxy('Anthropic'),

  'GET /v1/guard/check': {
    summary: 'May this work start?',
    description: 'Answers from memory whether the hard budgets that apply to this context allow more spending. Every query parameter but limit is a ' +
      'dimension of the context (user_id, agent, model, feature, customer_id…).',
    tags: ['Guard'],
    request: { query: z.object({ limit: z.string().regex(/^\d+$/).optional().describe(`budgets listed, 0 to ${MAX_LISTED} (default 10)`) }).catchall(z.string()) },
    responses: { 200: json(DECISION_SCHEMA, 'the decision and the budgets that apply'), ...fail({ 400: 'an unknown dimension or a bad limit', ...signedIn }) },
  },

  'PUT /v1/plans/:id': putPlan, 'GET /v1/plans': getPlans,
  'PUT /v1/tasks/:id': putTask, 'GET /v1/tasks': getTasks,
  'PUT /v1/work-items/:id': putWorkItem, 'GET /v1/work-items': getWorkItems,

  'GET /v1/exports/:shape': {
    summary: 'Export a query’s result as a file',
    description: 'breakdown, timeseries, events or FOCUS 1.2 rows as CSV, JSON or NDJSON, streamed. The parameters are the GraphQL queries’ arguments. FOCUS rows hold direct cost (x_CostType Direct) and, without filters, the shares of cost pools allocated by their rules (x_CostType Allocated, with x_Allocation* columns). economics: direct, allocated and true cost, revenue and margin per `by` (customer_id, feature, workflow, plan_id, pool, currency, month) over the UTC days of from/to or relative — Query.economics’ rows.',
    tags: ['Exports'],
    request: { params: z.object({ shape: z.enum(SHAPES) }), query: exportQuerySchema },
    responses: exportResponses,
  },
  'GET /v1/organization/exports/focus': {
    summary: 'Export the organization’s FOCUS rows',
    description: 'FOCUS 1.2 rows of every workspace of the caller’s organization where the caller may run exports (a key: its own), a section per workspace in slug order: SubAccountId/Name is the workspace, BillingAccountId/Name the organization. The parameters are those of GET /v1/exports/focus; x-spendgraph-workspaces lists the workspaces included.',
    tags: ['Exports'],
    request: { query: exportQuerySchema },
    responses: exportResponses,
  },
  'GET /v1/exports/download/:token': {
    summary: 'Download an export link', description: 'The file of an export createExport (GraphQL) made a link for; the token is the credential.', tags: ['Exports'],
    security: [],
    request: { params: z.object({ token: z.string() }) },
    responses: { 200: { description: 'the rows, as the export asked' }, ...fail({ 404: 'unknown or expired link' }) },
  },
  'GET /v1/embeds/:token': {
    summary: 'An embedded chart’s data', description: 'The data of a chart made by createEmbedToken; the token is the credential.', tags: ['Embeds'],
    security: [],
    request: { params: z.object({ token: z.string() }) },
    responses: { 200: json(z.looseObject({ chart: z.unknown(), expiresAt: z.string().nullable(), currency: z.string().describe('ISO 4217 code of money measures: the workspace reporting currency') }), 'the chart and its data'), ...fail({ 401: 'unknown, expired or revoked token' }) },
  },
  'POST /v1/bills/:source': {
    summary: 'Import a provider bill',
    description: 'The provider’s file as the body (openai, anthropic: the cost report JSON; gcp, focus: CSV). Replaces that source’s lines for the days the bill covers.',
    tags: ['Bills'],
    request: {
      params: z.object({ source: z.enum(BILL_SOURCES) }),
      body: { required: true, content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } },
    },
    responses: { 201: json(z.object({ import: z.looseObject({ id: z.uuid() }) }), 'the import'), ...fail({ 400: 'the file cannot be read (field and line name where)', ...signedIn, 404: 'unknown source' }) },
  },

  'POST /v1/revenue': {
    summary: 'Record revenue',
    description: 'Revenue for margins: a JSON array of entries, or text/csv with the same columns. Amounts are exact decimal strings; an entry is stored once per id, so a resent file counts once.',
    tags: ['Economics'],
    request: {
      body: { required: true, content: {
        'application/json': { schema: z.array(revenueEntrySchema).min(1).max(MAX_REVENUE_ENTRIES), example: [{ id: 'inv-1042-1', day: '2026-11-02', customer_id: 'acme', feature: 'chat', amount: '1200.00', currency: 'USD' }] },
        'text/csv': { schema: { type: 'string' }, example: 'id,day,customer_id,feature,amount,currency\ninv-1042-1,2026-11-02,acme,chat,1200.00,USD\n' },
      } },
    },
    responses: { 201: json(z.looseObject({ stored: z.number(), duplicates: z.number() }), 'what was stored and what was already there'), ...fail({ 400: 'an entry cannot be read (field, and line for CSV)', ...signedIn }) },
  },
  'POST /v1/revenue/stripe': {
    summary: 'Record revenue from a Stripe invoice event',
    description: 'A Stripe-shaped `invoice.paid` event: one revenue entry per invoice line (customer and feature from the line’s metadata). Other event types are acknowledged and ignored.',
    tags: ['Economics'],
    request: { body: { required: true, content: { 'application/json': { schema: { type: 'object' } } } } },
    responses: { 201: json(z.looseObject({ stored: z.number(), duplicates: z.number() }), 'what was stored'), 202: json(z.looseObject({ ignored: z.boolean() }), 'not an invoice.paid event: nothing stored'), ...fail({ 400: 'the event cannot be read (field named)', ...signedIn }) },
  },

  'POST /v1/cost-pools/focus': {
    summary: 'Import cost pools from a FOCUS file',
    description: 'A FOCUS 1.x CSV file (AWS, Azure, GCP, FinOps tools) as the body: one cost pool per value of `group_by` (default ServiceName) and charge month (UTC, from ChargePeriodStart), its amount the exact sum of the lines’ BilledCost (or EffectiveCost), rounded to 8 decimal places. Pools are USD only. Importing a file again replaces the amounts of the pools of the same name and month, so it never counts twice; groups whose net is not above zero are skipped. With `dimension`, the pools this import creates get an allocation rule (existing pools keep theirs). Pools then allocate like pools entered by hand.',
    tags: ['Economics'],
    request: {
      query: poolImportQuerySchema,
      body: { required: true, content: { 'text/csv': { schema: { type: 'string' }, example: 'ChargePeriodStart,ServiceName,BilledCost,BillingCurrency\n2026-11-01T00:00:00Z,Amazon OpenSearch Service,812.40,USD\n' } } },
    },
    responses: {
      201: json(z.looseObject({ pools: z.array(z.looseObject({ id: z.uuid(), name: z.string(), month: z.string(), amount: z.string() })), skipped: z.array(z.looseObject({})), lines: z.number(), created: z.number(), updated: z.number(), unchanged: z.number() }), 'the pools created or updated'),
      ...fail({ 400: 'the file or a parameter cannot be read (field names the column or parameter, line the file’s line)', ...signedIn }),
    },
  },

  'POST /v1/sessions': {
    summary: 'Sign in',
    description: 'With an e-mail and password (a person’s session), or with "Authorization: Bearer <API key>" and no body (a session acting as a key that may read).',
    tags: ['Sessions'],
    security: [],
    request: body(passwordSignInSchema, { email: 'ana@example.com', password: 'correct horse battery staple' }),
    responses: { 201: json(sessionSchema, 'a new session'), ...fail({ 400: 'a field is invalid', 401: 'wrong e-mail or password', 403: 'not a member of the workspace', 429: 'too many failures, or the account is locked' }) },
  },
  'DELETE /v1/sessions/current': {
    summary: 'Sign out', description: 'Ends the session sent as the bearer credential.', tags: ['Sessions'],
    responses: { 204: { description: 'ended' }, ...fail({ 400: 'the credential is not a session', ...signedIn }) },
  },
  'PUT /v1/sessions/current/workspace': {
    summary: 'Switch workspace', description: 'A new session acting in another of the person’s workspaces; the one presented ends.', tags: ['Sessions'],
    request: body(switchSchema, { workspace: 'acme-eu' }),
    responses: { 201: json(sessionSchema, 'the new session'), ...fail({ 400: 'not a person’s session, or a bad body', ...signedIn }) },
  },
  'GET /v1/setup': {
    summary: 'First run: is the install open?', description: 'Whether the install still has no owner (then POST /v1/setup creates one).', tags: ['Sessions'],
    security: [],
    responses: { 200: json(z.object({ open: z.boolean() }), 'open or not') },
  },
  'POST /v1/setup': {
    summary: 'First run: create the owner', description: 'Creates the organization, workspace and first owner, and signs them in. Refused with 409 once any owner exists.', tags: ['Sessions'],
    security: [],
    request: body(setupSchema, { organization: 'Acme', workspace: 'Acme', name: 'Ana', email: 'ana@example.com', password: 'correct horse battery staple' }),
    responses: { 201: json(sessionSchema.extend({ workspace: z.string() }), 'the owner’s session'), ...fail({ 400: 'a field is invalid, or the password is weak', 409: 'the install already has an owner' }) },
  },
  'GET /v1/me': {
    summary: 'Who am I', description: 'The credential’s workspace, person or key, role and permissions.', tags: ['Sessions'],
    responses: { 200: json(meSchema, 'the identity'), ...fail(signedIn) },
  },
  'POST /v1/invitations/accept': {
    summary: 'Accept an invitation', description: 'Joins the invited workspace with a new account for the invited e-mail, or the existing account’s password.', tags: ['Sessions'],
    security: [],
    request: body(acceptSchema, { token: `sgi_${'a'.repeat(43)}`, password: 'correct horse battery staple', name: 'Ana' }),
    responses: { 201: json(sessionSchema, 'a session in the invited workspace'), ...fail({ 400: 'a field is invalid', 401: 'wrong password', 404: 'unknown, used, revoked or expired invitation' }) },
  },
  'POST /v1/sso/start': {
    summary: 'Start single sign-on', description: 'Finds the organization’s OpenID Connect provider by the e-mail’s domain and answers where to send the browser.', tags: ['Sessions'],
    security: [],
    request: body(startSchema, { email: 'ana@example.com', redirectUri: 'https://spendgraph.example.com/sso/callback' }),
    responses: { 200: json(z.object({ authorizationUrl: z.url(), state: z.string() }), 'where to send the browser'), ...fail({ 400: 'a field is invalid', 404: 'no SSO connection for this domain', 502: 'the provider cannot be read' }) },
  },
  'POST /v1/sso/callback': {
    summary: 'Finish single sign-on', description: 'The query string the provider redirected with; checks the state, PKCE verifier and ID token and signs the person in.', tags: ['Sessions'],
    security: [],
    request: body(callbackSchema, { query: 'code=abc&state=xyz' }),
    responses: { 201: json(sessionSchema.extend({ email: z.string() }), 'a session'), ...fail({ 400: 'a field is invalid', 401: 'the sign-in failed', 502: 'the provider cannot be read' }) },
  },
  'GET /v1/audit-log': {
    summary: 'The audit log', description: 'Administrative changes of the workspace, newest first, as JSON or CSV.', tags: ['People'],
    request: { query: auditQuery },
    responses: { 200: { description: 'the entries', content: { 'application/json': { schema: { type: 'array' } }, 'text/csv': { schema: { type: 'string' } } } }, ...fail({ 400: 'a parameter is invalid', ...signedIn }) },
  },

  'GET /graphql': getGraphql, 'POST /graphql': postGraphql,
  'GET /graphql/cube': getCube, 'POST /graphql/cube': postCube,
};

/** The description of a registered route, found as ruleOf finds its authorization rule. */
export const operationOf = (method: string, url: string): Operation | undefined => OPERATIONS[`${method} ${url}`] ?? OPERATIONS[`* ${url}`];
