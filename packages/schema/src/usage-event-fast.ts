// A fast path for usageEventInputSchema (usage-event.ts), the event's one definition. It checks
// the common shape of an event (the fields nearly every batch carries) in plain code and
// returns exactly what the schema's parse returns; anything else — a field it does not check
// (work_items, service_tier, effort), a value that fails a check, an unusual object — returns
// undefined, and parseEventBatch asks the schema itself, whose issues name the field as before.
// So the fast path may only ever say "valid, and here is the schema's output": it reads the
// datetime and uuid patterns and the key sets from the schema, the enums and limits from the same
// constants, and the tests compare the two on generated and mutated events (packages/schema/test/usage-event-fast.test.ts). Zod's parse was a third of the API's
// CPU per event on the ingest path (issue 18).
import { isCurrencyCode } from './currency.ts';
import { USAGE_CONVENTIONS, checkUsageConvention, type ReportedUsage } from './usage-conventions.ts';
import { EVENT_KINDS, EVENT_STATUSES, OCCURRED_AT_MIN, type ParsedUsageEvent, usageEventInputSchema, usageSchema } from './usage-event.ts';
import { CONTEXT_FIELDS, TOKENS_COLUMNS } from './vocabulary.ts';

const OCCURRED_AT_MIN_MS = Date.parse(OCCURRED_AT_MIN);

type Pattern = { _zod?: { pattern?: unknown; def?: { innerType?: { _zod?: { def?: { in?: unknown } } } } } };
/** The schema's own pattern of a field (`z.iso.datetime`, `z.uuid`), so both paths test the same text; none: the fast path is off. */
function patternOf(schema: unknown): RegExp | undefined {
  const pattern = (schema as Pattern | undefined)?._zod?.pattern;
  return pattern instanceof RegExp && !pattern.global && !pattern.sticky ? pattern : undefined;
}
const shape = usageEventInputSchema.shape;
const OCCURRED_AT = patternOf(shape.occurred_at) ?? /(?!)/;
const UUID = patternOf((shape.id as Pattern)._zod?.def?.innerType?._zod?.def?.in) ?? /(?!)/;
const CURRENCY = /^[A-Z]{3}$/;
const DECIMAL = /^\d{1,15}(\.\d{1,18})?$/;
const KINDS = new Set<string>(EVENT_KINDS);
const STATUSES = new Set<string>(EVENT_STATUSES);
const CONVENTIONS = new Set<string>(USAGE_CONVENTIONS);
const CONTEXT = new Set<string>(CONTEXT_FIELDS);
const TOKENS = new Set<string>(TOKENS_COLUMNS);

/** The fields this path checks itself; another field of the schema (or none of it) sends the event to the schema. */
const CHECKED = new Set<string>(['id', 'occurred_at', 'kind', 'provider', 'model', 'status', 'latency_ms', 'usage', 'cost', 'currency', 'source', 'tags', ...CONTEXT_FIELDS]);
const DEFERRED = new Set<string>(['service_tier', 'effort', 'work_items']);
const schemaKeys = Object.keys(shape);
const usageKeys = Object.keys(usageSchema.shape);
/** A field added to the schema that this path does not know, or a zod that keeps its patterns elsewhere, turns the path off (the tests fail first). */
export const FAST_PATH_IN_STEP =
  OCCURRED_AT.source !== '(?!)' && UUID.source !== '(?!)'
  && schemaKeys.length === CHECKED.size + DEFERRED.size && schemaKeys.every((k) => CHECKED.has(k) || DEFERRED.has(k))
  && usageKeys.length === TOKENS.size + 1 && usageKeys.every((k) => TOKENS.has(k) || k === 'convention');

/** `storableText`: no NUL, no lone surrogate. */
const storable = (s: string) => s.isWellFormed() && !s.includes('\u0000');

/** `label`: storable, trimmed, 1-200 characters; undefined when not (the schema then says why). */
function label(v: unknown): string | undefined {
  if (typeof v !== 'string' || !storable(v)) return undefined;
  const t = v.trim();
  return t.length >= 1 && t.length <= 200 ? t : undefined;
}

const isTokenCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 1e12;

function usage(v: unknown): ReportedUsage | undefined {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  const out = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 } as ReportedUsage;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (TOKENS.has(k)) {
      if (!isTokenCount(x)) return undefined;
      out[k as keyof typeof out & `${string}_tokens`] = x;
    } else if (k === 'convention') {
      if (typeof x !== 'string' || !CONVENTIONS.has(x)) return undefined;
      out.convention = x as ReportedUsage['convention'];
    } else return undefined;
  }
  return out;
}

function tags(v: unknown): Record<string, string | number | boolean> | undefined {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  const out: Record<string, string | number | boolean> = {};
  let n = 0;
  for (const k in v) {
    if (++n > 50 || k.length < 1 || k.length > 100 || k === '__proto__' || !storable(k)) return undefined;
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'string') {
      if (x.length > 500 || !storable(x)) return undefined;
    } else if (!(typeof x === 'number' && Number.isFinite(x)) && typeof x !== 'boolean') return undefined;
    out[k] = x;
  }
  return out;
}

/**
 * usageEventInputSchema's output for `item` when the fast path can vouch for it; undefined when the
 * schema must decide. `latest`: the latest occurred_at accepted (now + the clock skew), in ms.
 */
export function parseUsageEventFast(item: unknown, latest: number): ParsedUsageEvent | undefined {
  if (!FAST_PATH_IN_STEP || typeof item !== 'object' || item === null || Object.getPrototypeOf(item) !== Object.prototype) return undefined;
  const e = item as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in e) {
    if (!CHECKED.has(k)) return undefined;
    const v = e[k];
    if (v === undefined) return undefined;
    if (CONTEXT.has(k)) {
      const t = label(v);
      if (t === undefined) return undefined;
      out[k] = t;
    }
  }
  const at = e.occurred_at;
  if (typeof at !== 'string' || !OCCURRED_AT.test(at)) return undefined;
  const ms = Date.parse(at);
  if (!(ms >= OCCURRED_AT_MIN_MS && ms <= latest)) return undefined;
  out.occurred_at = at;
  if (e.id !== undefined) {
    if (typeof e.id !== 'string' || !UUID.test(e.id)) return undefined;
    out.id = e.id.toLowerCase();
  }
  const kind = e.kind === undefined ? 'model_call' : e.kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
  out.kind = kind;
  if (e.provider !== undefined) {
    const p = label(e.provider);
    if (p === undefined) return undefined;
    out.provider = p.toLowerCase();
  }
  if (e.model !== undefined) {
    if ((out.model = label(e.model)) === undefined) return undefined;
  }
  const status = e.status === undefined ? 'ok' : e.status;
  if (typeof status !== 'string' || !STATUSES.has(status)) return undefined;
  out.status = status;
  if (e.latency_ms !== undefined) {
    const l = e.latency_ms;
    if (typeof l !== 'number' || !Number.isSafeInteger(l) || l < 0 || l > 86_400_000) return undefined;
    out.latency_ms = l;
  }
  if (e.usage !== undefined) {
    const u = usage(e.usage);
    if (u === undefined) return undefined;
    let wrong = false;
    checkUsageConvention(u, out.provider as string | undefined, { addIssue: () => (wrong = true) } as never);
    if (wrong) return undefined;
    out.usage = u;
  }
  if (e.cost !== undefined) {
    const c = e.cost;
    const s = typeof c === 'string' ? c.trim() : typeof c === 'number' && Number.isFinite(c) ? String(c) : undefined;
    if (s === undefined || !DECIMAL.test(s)) return undefined;
    out.cost = s;
  }
  const currency = e.currency === undefined ? 'USD' : e.currency;
  if (typeof currency !== 'string' || !CURRENCY.test(currency) || !isCurrencyCode(currency)) return undefined;
  out.currency = currency;
  if (e.source === undefined) out.source = 'api';
  else {
    const s = e.source;
    if (typeof s !== 'string' || !storable(s)) return undefined;
    const t = s.trim();
    if (t.length < 1 || t.length > 50) return undefined;
    out.source = t;
  }
  if (e.tags === undefined) out.tags = {};
  else if ((out.tags = tags(e.tags)) === undefined) return undefined;
  if (kind === 'model_call' ? !out.provider || !out.model : out.cost === undefined) return undefined;
  return out as ParsedUsageEvent;
}
