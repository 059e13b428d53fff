// /proxy/openai/* and /proxy/anthropic/* — an OpenAI- and Anthropic-compatible proxy inside the API:
// checks hard budgets from memory (GuardCache: no extra hop), forwards to the configured upstream
// with undici, streams the answer back untouched while reading its usage, then records the call
// through acceptEvents once the response has ended (off the caller's path).
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Agent, request as undiciRequest } from 'undici';
import { now as clockNow } from '@spendgraph/periods/clock';
import type { ApiKeyIdentity } from '@spendgraph/db';
import { type UsageEventInput, UsageReader, effortOfRequest, responseEventId, stampRestriction, usageEventInputSchema } from '@spendgraph/schema';
import type { SemanticLayer } from '@spendgraph/semantic';
import { type Authenticate, TooManyFailures, tooMany } from '../auth.ts';
import { can } from '../authz.ts';
import { check, presentDecision, scopableDimensionsOnce } from '../guard/check.ts';
import type { GuardCache } from '../guard/guard-cache.ts';
import { type IngestQueue, acceptEvents } from '../ingest/accept-events.ts';
import { type CallTags, callTags, forwardedHeaders, returnedHeaders } from '../proxy/headers.ts';
import { UsageTap } from '../proxy/tap.ts';

export interface ProxyUpstreams {
  openai: string;
  anthropic: string;
}

interface Deps {
  authenticate: Authenticate;
  queue: IngestQueue;
  guard: GuardCache;
  semantic: SemanticLayer;
  upstreams: ProxyUpstreams;
}

type Provider = keyof ProxyUpstreams;

/** The Spendgraph key: x-spendgraph-key, or Helicone-Auth for clients moving from Helicone. */
async function identify(deps: Deps, request: FastifyRequest, reply: FastifyReply): Promise<ApiKeyIdentity | undefined> {
  const raw = request.headers['x-spendgraph-key'] ?? request.headers['helicone-auth'];
  const key = typeof raw === 'string' ? raw.replace(/^Bearer\s+/i, '').trim() : '';
  let identity: ApiKeyIdentity | undefined;
  try {
    identity = key ? await deps.authenticate(key, request.ip) : undefined;
  } catch (err) {
    if (!(err instanceof TooManyFailures)) throw err;
    tooMany(reply, err);
    return undefined;
  }
  if (!identity) {
    reply.code(401).send({ error: 'unauthorized', message: key ? 'unknown or revoked Spendgraph key in x-spendgraph-key' : 'send a Spendgraph API key in the x-spendgraph-key header (the Authorization header goes to the provider)' });
  } else if (!can(identity, 'events:ingest')) {
    reply.code(403).send({ error: 'forbidden', message: 'this key lacks the events:ingest permission' });
    return undefined;
  }
  return identity;
}

function readJson(body: unknown, contentType: string | undefined): any {
  if (!Buffer.isBuffer(body) || body.length === 0 || !(contentType ?? '').includes('json')) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function proxyRoutes(app: FastifyInstance, deps: Deps) {
  const dimensions = scopableDimensionsOnce(deps.semantic);
  // undici and its agent load with the first proxied call: an API nobody proxies through never holds them.
  let upstream: Promise<{ dispatcher: Agent; upstreamRequest: typeof undiciRequest }> | undefined;
  const connect = () => upstream ??= import('undici').then(({ Agent, request }) => ({
    dispatcher: new Agent({ keepAliveTimeout: 30_000, connections: 512 }), upstreamRequest: request,
  }));

  async function forward(provider: Provider, request: FastifyRequest, reply: FastifyReply) {
    const started = performance.now();
    const occurredAt = clockNow().toISOString(); // the process's clock: the guard check and the budgets read the same one
    const identity = await identify(deps, request, reply);
    if (!identity) return reply;
    const tags = callTags(request.headers);
    // A restricted key's values go on the call (and into the budget check); naming another is refused before the upstream is called.
    const refused = identity.restriction ? stampRestriction(tags.context, identity.restriction) : [];
    if (refused.length) return reply.code(403).send({ error: 'forbidden', field: refused[0]!.field, message: `${refused[0]!.field}: ${refused[0]!.message} (from the x-spendgraph-* / Helicone-* headers)` });
    const json = readJson(request.body, request.headers['content-type']);
    const requestModel: string | undefined = typeof json?.model === 'string' ? json.model : undefined;
    const stated = typeof request.headers['x-spendgraph-effort'] === 'string' ? { effort: request.headers['x-spendgraph-effort'] } : {};
    const probe = usageEventInputSchema.safeParse({ occurred_at: occurredAt, provider, model: requestModel ?? '-', ...tags.context, ...stated, tags: tags.tags });
    if (!probe.success) {
      const issue = probe.error.issues[0]!;
      return reply.code(400).send({ error: 'invalid_request', field: issue.path.join('.'), message: `${issue.path.join('.')}: ${issue.message} (from the x-spendgraph-* / Helicone-* headers)` });
    }
    // What the request asks the provider for, else what the caller states (x-spendgraph-effort).
    const effort = effortOfRequest(json) ?? probe.data.effort;

    const scopable = dimensions();
    const context = new Map([...Object.entries(tags.context), ['provider', provider], ...(requestModel ? [['model', requestModel]] : []), ...(effort ? [['effort', effort]] : [])]
      .filter(([k]) => scopable.has(k!)) as Array<[string, string]>);
    const decision = await check(deps.guard, identity, context);
    if (!decision.allow) return reply.code(429).send({ error: 'budget_exceeded', message: decision.reason, ...presentDecision(decision) });

    let body = Buffer.isBuffer(request.body) && request.body.length ? request.body : undefined;
    const path = (request.params as { '*': string })['*'];
    if (provider === 'openai' && json?.stream === true && path.endsWith('chat/completions') && json.stream_options?.include_usage !== true) {
      // Streamed chat completions carry usage only when asked for it (a last chunk with empty choices).
      body = Buffer.from(JSON.stringify({ ...json, stream_options: { ...json.stream_options, include_usage: true } }));
    }
    const query = request.url.indexOf('?');
    let res;
    try {
      const { dispatcher, upstreamRequest } = await connect();
      res = await upstreamRequest(`${deps.upstreams[provider]}/${path}${query >= 0 ? request.url.slice(query) : ''}`, {
        method: request.method as 'POST', headers: forwardedHeaders(request.headers), body, dispatcher,
      });
    } catch (e: any) {
      return reply.code(502).send({ error: 'upstream_unavailable', message: `could not reach the ${provider} upstream: ${e.code ?? e.message}` });
    }
    const status = res.statusCode;
    const reader = new UsageReader(provider);
    const tap = new UsageTap(reader, String(res.headers['content-type'] ?? ''), (complete) =>
      record(request, identity.workspaceId, provider, reader, {
        requestModel, effort, tags, occurredAt, latencyMs: Math.round(performance.now() - started),
        status: status === 429 ? 'rate_limited' : status >= 400 ? 'error' : complete ? 'ok' : 'cancelled',
      }),
    );
    pipeline(res.body, tap, () => {});
    return reply.code(status).headers(returnedHeaders(res.headers)).send(tap);
  }

  function record(request: FastifyRequest, workspaceId: string, provider: Provider, reader: UsageReader,
    call: { requestModel: string | undefined; effort: string | undefined; tags: CallTags; occurredAt: string; latencyMs: number; status: 'ok' | 'error' | 'rate_limited' | 'cancelled' }) {
    const model = reader.model ?? call.requestModel;
    if (!model) return; // not a model call (e.g. GET /v1/models)
    const event: UsageEventInput = {
      // From the provider's response id: stored once even if the SDK wrapper reports it too; errors have none.
      id: reader.id ? responseEventId(provider, reader.id) : randomUUID(),
      occurred_at: call.occurredAt, provider, model, status: call.status, latency_ms: call.latencyMs,
      ...(reader.usage ? { usage: reader.usage } : {}), ...(reader.serviceTier ? { service_tier: reader.serviceTier } : {}),
      ...(call.effort ? { effort: call.effort } : {}), source: 'proxy', ...call.tags.context, tags: call.tags.tags,
    };
    void acceptEvents(deps.queue, { workspaceId }, [event], request.log).then((r) => {
      if (r.status !== 'accepted') request.log.warn({ result: r }, 'a proxied call could not be recorded');
    });
  }

  app.register(async (proxy) => {
    // Bodies are forwarded as they came: no parsing beyond reading the model.
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const provider of ['openai', 'anthropic'] as const) {
      proxy.all(`/proxy/${provider}/*`, (request, reply) => forward(provider, request, reply));
    }
  });
}
