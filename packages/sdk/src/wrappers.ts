// Wrappers for the OpenAI and Anthropic Node SDKs: every create() call is reported to Spendgraph
// with its usage — from the response, or from the stream as the caller iterates it — and the
// context in force (the wrapper's, then withContext()'s). Reporting never changes what the caller
// gets back and never throws into it: the original promise is returned as is.
import { AsyncLocalStorage } from 'node:async_hooks';
import { type ContextField, type UsageEventInput, type UsageProvider, UsageReader, effortOfRequest, responseEventId } from '@spendgraph/schema';
import type { Spendgraph } from './client.ts';

/** `effort` labels calls whose request does not say it (a request's reasoning_effort or thinking budget wins). */
export type CallContext = Partial<Record<ContextField, string>> & { effort?: string; tags?: Record<string, string | number | boolean> };

const current = new AsyncLocalStorage<CallContext>();

/** Runs fn with context added to every wrapped call made inside it (nested contexts merge). */
export function withContext<T>(context: CallContext, fn: () => T): T {
  const outer = current.getStore();
  return current.run({ ...outer, ...context, tags: { ...outer?.tags, ...context.tags } }, fn);
}

export interface WrapOptions {
  context?: CallContext;
  /** Provider name for the events (default `openai` / `anthropic`; e.g. `azure` for Azure OpenAI). */
  provider?: string;
}

type Status = 'ok' | 'error' | 'rate_limited' | 'cancelled';

function observe(sg: Spendgraph, kind: UsageProvider, o: WrapOptions, params: any, promise: PromiseLike<any>) {
  const started = performance.now();
  const occurredAt = new Date().toISOString();
  const { tags, effort: stated, ...context } = { ...o.context, ...current.getStore(), tags: { ...o.context?.tags, ...current.getStore()?.tags } };
  const reader = new UsageReader(kind);
  const effort = effortOfRequest(params) ?? stated;
  const finish = (status: Status) => {
    const model = reader.model ?? params?.model;
    if (typeof model !== 'string') return;
    const event: UsageEventInput = {
      ...(reader.id ? { id: responseEventId(kind, reader.id) } : {}),
      occurred_at: occurredAt, provider: o.provider ?? kind, model, status,
      latency_ms: Math.round(performance.now() - started), ...(reader.usage ? { usage: reader.usage } : {}),
      ...(reader.serviceTier ? { service_tier: reader.serviceTier } : {}),
      ...(effort ? { effort } : {}),
      source: 'sdk', ...context, tags,
    };
    sg.record(event);
  };
  promise.then(
    (result) => {
      try {
        if (params?.stream && result && typeof result[Symbol.asyncIterator] === 'function') tapStream(result, reader, finish);
        else {
          reader.accept(result);
          finish('ok');
        }
      } catch {
        // reporting must not reach the caller
      }
    },
    (err) => finish(err?.status === 429 ? 'rate_limited' : err?.name === 'APIUserAbortError' ? 'cancelled' : 'error'),
  );
  return promise;
}

/** Reads each streamed event as the caller iterates; the call is recorded when the stream ends or is left. */
function tapStream(stream: any, reader: UsageReader, finish: (s: Status) => void) {
  const iterate = stream[Symbol.asyncIterator].bind(stream);
  stream[Symbol.asyncIterator] = async function* () {
    let complete = false;
    try {
      for await (const event of iterate()) {
        try {
          reader.accept(event);
        } catch {
          // an event we cannot read is still the caller's
        }
        yield event;
      }
      complete = true;
    } finally {
      finish(complete ? 'ok' : 'cancelled');
    }
  };
}

function wrapMethod(target: any, sg: Spendgraph, kind: UsageProvider, o: WrapOptions, adjust?: (params: any) => any) {
  if (!target || typeof target.create !== 'function') return;
  const create = target.create;
  target.create = function (params: any, ...rest: unknown[]) {
    const p = adjust ? adjust(params) : params;
    return observe(sg, kind, o, p, create.call(this, p, ...rest));
  };
}

/** Streamed chat completions report usage only when asked: stream_options.include_usage is set (one extra chunk, empty choices). */
function askForStreamUsage(params: any) {
  if (!params?.stream || params.stream_options?.include_usage !== undefined) return params;
  return { ...params, stream_options: { ...params.stream_options, include_usage: true } };
}

/** Reports chat.completions.create, responses.create and embeddings.create; returns the same client. */
export function wrapOpenAI<T extends object>(client: T, sg: Spendgraph, options: WrapOptions = {}): T {
  const c = client as any;
  wrapMethod(c.chat?.completions, sg, 'openai', options, askForStreamUsage);
  wrapMethod(c.responses, sg, 'openai', options);
  wrapMethod(c.embeddings, sg, 'openai', options);
  return client;
}

/** Reports messages.create (and messages.stream, which goes through it); returns the same client. */
export function wrapAnthropic<T extends object>(client: T, sg: Spendgraph, options: WrapOptions = {}): T {
  wrapMethod((client as any).messages, sg, 'anthropic', options);
  return client;
}
