// OTLP/HTTP trace export: payloads encoded by OpenTelemetry's own serializers (JSON and protobuf),
// through the real API, queue and worker.
import { gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let ws: { workspaceId: string; key: string };
beforeAll(async () => {
  p = await startPlatform();
  ws = await workspaceWithKey(p.pool);
});
afterAll(async () => p?.stop());

const resource = { attributes: { 'service.name': 'checkout', 'spendgraph.feature': 'summarize', 'spendgraph.customer_id': 'acme', 'spendgraph.tag.region': 'eu' } };
function span(spanId: string, attributes: Record<string, string | number>, { error = false, startSec = 1_795_000_000 } = {}) {
  return {
    name: 'chat', kind: 2, spanContext: () => ({ traceId: '5b8efff798038103d269b633813fc60c', spanId, traceFlags: 1 }),
    startTime: [startSec, 0], endTime: [startSec, 250_000_000], attributes, droppedAttributesCount: 0,
    events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0, status: { code: error ? 2 : 0 },
    resource, instrumentationScope: { name: 'test' },
  };
}

function post(body: Uint8Array | string, contentType: string, extra: Record<string, string> = {}) {
  return fetch(`${p.apiUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': contentType, ...extra }, body });
}

const row = (spanIdLike: string) =>
  p.pool.query(`SELECT provider, model, status, latency_ms, input_tokens::int, output_tokens::int, cache_read_tokens::int, cache_write_5m_tokens::int,
                       reasoning_tokens::int, plan_id, user_id, customer_id, feature, source, tags FROM usage_events
                 WHERE workspace_id = $1 AND model LIKE $2`, [ws.workspaceId, spanIdLike]).then((r) => r.rows);

describe('POST /v1/traces', () => {
  it('stores GenAI spans sent as OTLP/JSON and OTLP/protobuf, once each', async () => {
    const json = JsonTraceSerializer.serializeRequest([
      span('eee19b7ec3c1b174', {
        'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
        'gen_ai.usage.input_tokens': 1500, 'gen_ai.usage.cache_read.input_tokens': 1000, 'gen_ai.usage.cache_creation.input_tokens': 200,
        'gen_ai.usage.output_tokens': 300, 'spendgraph.plan_id': 'plan-1', 'user.id': 'ana',
      }, { error: true }),
      span('eee19b7ec3c1b175', { 'http.method': 'GET' }), // not a model call
    ] as any)!;
    const res = await post(Buffer.from(json), 'application/json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});

    const proto = ProtobufTraceSerializer.serializeRequest([
      span('aaa19b7ec3c1b176', { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-otlp', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 50, 'gen_ai.usage.reasoning.output_tokens': 20 }),
      span('aaa19b7ec3c1b177', { 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.response.model': 'gemini-2.5-flash-otlp', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5, 'session.id': 's-9' }),
    ] as any)!;
    const pres = await post(proto, 'application/x-protobuf');
    expect(pres.status).toBe(200);
    expect(pres.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await pres.arrayBuffer()).byteLength).toBe(0);
    // The same export again, gzip-compressed as exporters send it: the span ids make it idempotent.
    expect((await post(gzipSync(proto), 'application/x-protobuf', { 'content-encoding': 'gzip' })).status).toBe(200);

    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) >= 3, 30_000, 'spans to be stored');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await storedCount(p.pool, ws.workspaceId)).toBe(3);
    expect(await row('claude-sonnet-4-5-20250929')).toEqual([{
      provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', status: 'error', latency_ms: 250, input_tokens: 300, output_tokens: 300,
      cache_read_tokens: 1000, cache_write_5m_tokens: 200, reasoning_tokens: 0, plan_id: 'plan-1', user_id: 'ana', customer_id: 'acme',
      feature: 'summarize', source: 'otlp', tags: { trace_id: '5b8efff798038103d269b633813fc60c', service: 'checkout', region: 'eu' },
    }]);
    expect(await row('gpt-4o-otlp')).toMatchObject([{ provider: 'openai', input_tokens: 100, output_tokens: 30, reasoning_tokens: 20, status: 'ok' }]);
    expect(await row('gemini-2.5-flash-otlp')).toMatchObject([{ provider: 'google', input_tokens: 10, output_tokens: 5 }]);
  });

  it('answers 400 for a body that is not OTLP, and names the field of an invalid span', async () => {
    const bad = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'application/x-protobuf');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).message).toMatch(/not an OTLP ExportTraceServiceRequest/);
    const noModel = JsonTraceSerializer.serializeRequest([span('bbb19b7ec3c1b178', { 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 1 })] as any)!;
    const res = await post(Buffer.from(noModel), 'application/json');
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).issues).toEqual([{ index: 0, path: 'model', message: 'required for kind model_call' }]);
  });

  it('requires an API key', async () => {
    const res = await fetch(`${p.apiUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });
});
