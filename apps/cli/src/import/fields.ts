// Reading one exported record's cells: CSV gives every value as text (objects as JSON text), JSON
// gives numbers and objects; these helpers accept both, so each format's mapping is written once.
import { findProvider } from '@pydantic/genai-prices';
import { Decimal } from 'decimal.js';
import { CONTEXT_FIELDS, type ContextField, type UsageEventInput } from '@spendgraph/schema';

export type RawRecord = Record<string, unknown>;
export type Tags = Record<string, string | number | boolean>;

/** A record's event, and what the file itself says the record's tokens and cost are (reconciliation). */
export interface Mapped {
  event: UsageEventInput;
  fileTokens: number;
  fileCost: string;
}
/** A record not imported, with why. The file's figures are still counted (they are part of its totals). */
export interface Skipped {
  skip: string;
  fileTokens: number;
  fileCost: string;
}
export type Outcome = Mapped | Skipped;

export const text = (v: unknown): string | undefined => {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

/** A token count (a number, or a CSV cell); absent, empty or negative: 0. */
export const count = (v: unknown): number => {
  const n = typeof v === 'string' ? Number(v.trim() || 0) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
};

/**
 * A cost as an exact decimal string: a CSV cell's digits are kept as written (to 18 places, the
 * events' limit); a JSON float to its 15 significant digits (all a double holds), which drops only
 * its binary noise (0.020613000000000003 → 0.020613). Absent or not a number: undefined.
 */
export function money(v: unknown): string | undefined {
  if (typeof v !== 'number' && (typeof v !== 'string' || v.trim() === '')) return undefined;
  try {
    const d = new Decimal(typeof v === 'string' ? v.trim() : v.toPrecision(15));
    return d.isFinite() && !d.isNegative() ? d.toDecimalPlaces(18).toFixed() : undefined;
  } catch {
    return undefined;
  }
}

/** An object cell: JSON text in a CSV, an object in JSON. */
export function object(v: unknown): RawRecord | undefined {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as RawRecord;
  if (typeof v !== 'string' || !v.trim().startsWith('{')) return undefined;
  try {
    const o = JSON.parse(v) as unknown;
    return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as RawRecord) : undefined;
  } catch {
    return undefined;
  }
}

export function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v !== 'string' || !v.trim().startsWith('[')) return [];
  try {
    const a = JSON.parse(v) as unknown;
    return Array.isArray(a) ? a : [];
  } catch {
    return [];
  }
}

/**
 * A time as ISO 8601. A time without a zone (LiteLLM's Postgres `timestamp(3)` columns, written as
 * `2026-11-20 10:00:00.000`) is UTC, as the proxy stores it.
 */
export function instant(v: unknown): string | undefined {
  const s = text(v);
  if (!s) return undefined;
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(s) || !/^\d{4}-\d\d-\d\d[ T]\d/.test(s) ? s : `${s.replace(' ', 'T')}Z`;
  const t = new Date(zoned);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

export function millisBetween(start: string | undefined, end: string | undefined): number | undefined {
  if (!start || !end) return undefined;
  const ms = Date.parse(end) - Date.parse(start);
  return ms >= 0 && ms <= 86_400_000 ? ms : undefined;
}

/** Model families the price catalog does not match by name (embeddings, older models). */
const FAMILIES: Array<[RegExp, string]> = [[/^(gpt-|o\d|chatgpt-|text-embedding-3|text-embedding-ada|dall-e|whisper|tts-)/, 'openai'], [/^claude/, 'anthropic'], [/^(gemini|gemma)/, 'google']];

/** The provider a tool named, in our spelling, else the one the model's name tells (the price catalog's). */
export function providerOf(named: unknown, model: string | undefined): string | undefined {
  const n = text(named)?.toLowerCase();
  if (n && n !== 'custom') return n;
  if (!model) return undefined;
  return findProvider({ modelId: model })?.id ?? FAMILIES.find(([re]) => re.test(model.toLowerCase()))?.[1];
}

/** `openai/gpt-4o` (gateways' spelling) as provider and model. */
export function splitModel(model: string | undefined, provider: string | undefined) {
  const slash = model?.indexOf('/') ?? -1;
  if (!model || slash <= 0 || (provider && !model.startsWith(`${provider}/`))) return { model, provider };
  return { provider: provider ?? model.slice(0, slash).toLowerCase(), model: model.slice(slash + 1) };
}

const CONTEXT_ALIASES: Record<string, ContextField> = { user: 'user_id', userid: 'user_id', session: 'session_id', sessionid: 'session_id', customer: 'customer_id' };

/** A metadata key that names a context field (`user_id`, `userId`, `feature`…), else undefined. */
function contextField(key: string): ContextField | undefined {
  const snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if ((CONTEXT_FIELDS as readonly string[]).includes(snake)) return snake as ContextField;
  return CONTEXT_ALIASES[snake.replace(/_/g, '')];
}

/** A tool's metadata: keys naming a context field set it (unless set already), scalars become tags (at most 40). */
export function applyMetadata(event: Record<string, unknown>, tags: Tags, metadata: RawRecord | undefined) {
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    const field = contextField(k);
    if (field) event[field] ??= String(v).slice(0, 200);
    else if (Object.keys(tags).length < 40 && k.length <= 100) tags[k] = typeof v === 'string' ? v.slice(0, 500) : v;
  }
}

/** Adds a value to an event only when it is there (keeps the mappings flat). */
export const maybe = <K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));
