// Tags for a proxied call from its request headers, and the headers forwarded upstream.
//   x-spendgraph-<field>      a context field, dashes for underscores (x-spendgraph-plan-id, x-spendgraph-user-id…)
//   x-spendgraph-tag-<name>   a tag
//   x-spendgraph-effort       the call's reasoning effort when its body does not say (read by routes/proxy.ts)
//   Helicone-User-Id, Helicone-Session-Id, Helicone-Property-<Name>   Helicone's headers, for an easy move
import type { IncomingHttpHeaders } from 'node:http';
import { CONTEXT_FIELDS, type ContextField } from '@spendgraph/schema';

const FIELDS = new Set<string>(CONTEXT_FIELDS);
const HELICONE: Record<string, ContextField> = { 'helicone-user-id': 'user_id', 'helicone-session-id': 'session_id' };

export interface CallTags {
  context: Partial<Record<ContextField, string>>;
  tags: Record<string, string>;
}

export function callTags(headers: IncomingHttpHeaders): CallTags {
  const out: CallTags = { context: {}, tags: {} };
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!value) continue;
    if (name.startsWith('x-spendgraph-tag-')) out.tags[name.slice('x-spendgraph-tag-'.length)] = value;
    else if (name.startsWith('x-spendgraph-')) {
      const field = name.slice('x-spendgraph-'.length).replaceAll('-', '_');
      if (FIELDS.has(field)) out.context[field as ContextField] = value;
    } else if (HELICONE[name]) out.context[HELICONE[name]] ??= value;
    else if (name.startsWith('helicone-property-')) out.tags[name.slice('helicone-property-'.length)] = value;
  }
  return out;
}

// Hop-by-hop headers, ours, and accept-encoding (usage is read from the body, so it comes uncompressed).
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'accept-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_FORWARDED.has(name) || name.startsWith('x-spendgraph-') || name.startsWith('helicone-')) continue;
    out[name] = value;
  }
  return out;
}

const NOT_RETURNED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export function returnedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !NOT_RETURNED.has(name)) out[name] = value;
  return out;
}
