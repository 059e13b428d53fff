// Hostile values for the fuzz suite, generated from what the code declares: zod schemas (the
// boundary's own rules, turned inside out) and GraphQL types (from introspection), so a new
// field or argument is fuzzed without anyone listing it.
import { randomUUID } from 'node:crypto';
import {
  type GraphQLArgument, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLSchema,
  getNamedType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType, isScalarType,
} from 'graphql';
import { z } from 'zod';

export const SQL = ["'; DROP TABLE usage_events; --", "' OR '1'='1", '$$; SELECT pg_sleep(10); $$'];
/** Text no database column takes, or that is too big, or that is internal syntax. */
export const HOSTILE_TEXT = [
  '', 'a\u0000b', '\ud800', 'x'.repeat(100_000), ...SQL, '0000-01-01T00:00:00Z', '-infinity', 'last 100000 years',
  'from 0000-01-01 to 0001-01-01', '1e309', '-1e309', 'NaN', '__proto__', '{"$gt":0}', '../../etc/passwd', '%00',
];
export const HOSTILE_INT = [-1, 0, 2_147_483_647, -2_147_483_648];
export const HOSTILE_FLOAT = [1e308, -1e308, 0, 1.5];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// ---------------------------------------------------------------------------
// From zod schemas: for each property, values its schema refuses (and some it takes).

interface JsonSchema {
  type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; enum?: unknown[]; format?: string;
  maxLength?: number; minLength?: number; minimum?: number; maximum?: number; maxItems?: number; anyOf?: JsonSchema[];
  pattern?: string; additionalProperties?: unknown;
}

function refusedBy(s: JsonSchema): Json[] {
  if (s.anyOf) return s.anyOf.flatMap(refusedBy).slice(0, 12);
  const types = [s.type ?? []].flat();
  const out: Json[] = [];
  if (s.enum) out.push('not-one-of-them', 0);
  if (types.includes('string')) {
    out.push(42, true, 'a\u0000b', '\ud800');
    if (s.maxLength !== undefined) out.push('x'.repeat(s.maxLength + 1));
    if (s.minLength) out.push('');
    if (s.format === 'date-time') out.push('0000-01-01T00:00:00Z', '2026-13-45T00:00:00Z', '99999-01-01T00:00:00Z', 'yesterday');
    if (s.format === 'uri') out.push('not a url', 'http://x/\u0000');
    if (s.pattern) out.push('  ');
  }
  if (types.includes('number') || types.includes('integer')) {
    out.push('12', 1e300, -1e300);
    if (types.includes('integer')) out.push(1.5);
    if (s.minimum !== undefined) out.push(s.minimum - 1);
    if (s.maximum !== undefined) out.push(s.maximum + 1);
  }
  if (types.includes('object')) out.push([], 'x', { '': { nested: [null] } });
  if (types.includes('array')) {
    out.push('x', [null], [{}]);
    if (s.maxItems !== undefined) out.push(Array.from({ length: s.maxItems + 1 }, () => 'x'));
  }
  if (types.includes('boolean')) out.push('true', 1);
  return out;
}

/**
 * Bodies for one object schema: `base` with one property replaced by a value its schema refuses,
 * then bodies with an unknown property and hostile property names.
 */
export function bodiesFromZod(schema: z.ZodType, base: Record<string, Json> = {}): Array<Record<string, Json>> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const bodies: Array<Record<string, Json>> = [];
  for (const [name, prop] of Object.entries(json.properties ?? {})) {
    for (const v of refusedBy(prop)) bodies.push({ ...base, [name]: v });
  }
  bodies.push({ ...base, not_a_field: 1 }, { ...base, ['__proto__']: { admin: true } } as Record<string, Json>, { ...base, ['k\u0000']: 'v' });
  return bodies;
}

// ---------------------------------------------------------------------------
// From the GraphQL schema: a typed base value for every argument, and one hostile leaf at a time.

/** Plausible values by argument name, so a request gets past the first check and deeper in. */
const PLAUSIBLE: Record<string, Json> = {
  measures: ['total_cost'], measure: 'total_cost', by: ['model'], member: 'model', dimension: 'model', value: 'gpt-4o',
  values: ['gpt-4o'], from: '2026-10-01', to: '2026-10-31', relative: 'last 7 days', timezone: 'UTC', since: '2026-10-01T00:00:00Z',
  provider: 'openai', reason: 'fuzz', name: 'fuzz', target: 'https://example.com/hook', amount: '10', currency: 'USD',
  period: 'monthly', type: 'webhook', shape: 'breakdown', format: 'csv', kind: 'breakdown', wholeWorkspace: true,
};

function baseValue(type: GraphQLInputType, name: string, schema: GraphQLSchema, depth = 0): Json {
  if (isNonNullType(type)) return baseValue(type.ofType, name, schema, depth);
  if (isListType(type)) {
    const item = PLAUSIBLE[name];
    return Array.isArray(item) ? item : [baseValue(type.ofType, name, schema, depth)];
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    const plausible = PLAUSIBLE[name];
    return typeof plausible === 'string' && values.includes(plausible) ? plausible : values[0]!;
  }
  if (isInputObjectType(type)) {
    if (depth > 4) return {};
    const out: Record<string, Json> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) || PLAUSIBLE[f.name] !== undefined) out[f.name] = baseValue(f.type, f.name, schema, depth + 1);
    }
    return out;
  }
  const plausible = PLAUSIBLE[name];
  if (plausible !== undefined && !Array.isArray(plausible)) return plausible;
  switch ((type as GraphQLNamedType).name) {
    case 'Int': return 10;
    case 'Float': return 1.5;
    case 'Boolean': return true;
    case 'ID': return randomUUID();
    default: return /id$/i.test(name) ? randomUUID() : 'x';
  }
}

function hostileLeaf(type: GraphQLInputType, name: string): Json[] {
  const named = getNamedType(type);
  if (isEnumType(named)) return [];
  switch (named.name) {
    case 'Int': return HOSTILE_INT;
    case 'Float': return HOSTILE_FLOAT;
    case 'Boolean': return [];
    default: return name === 'values' || name === 'measures' || name === 'by' ? HOSTILE_TEXT.filter((t) => t.length < 1000) : HOSTILE_TEXT;
  }
}

interface Variant { variables: Record<string, Json>; what: string }

/** The field's arguments as typed base values, then variants with one leaf (or one list) made hostile. */
export function argumentVariants(field: GraphQLField<unknown, unknown>, schema: GraphQLSchema, perLeaf = 6, seed = 1): Variant[] {
  const base = Object.fromEntries(field.args.map((a) => [a.name, baseValue(a.type, a.name, schema)]));
  const variants: Variant[] = [{ variables: base, what: 'base' }];
  let n = seed;
  const pick = <T,>(list: T[]) => {
    const out: T[] = [];
    for (let i = 0; i < Math.min(perLeaf, list.length); i++) out.push(list[(n = (n * 1103515245 + 12345) & 0x7fffffff) % list.length]!);
    return [...new Set(out)];
  };
  const visit = (type: GraphQLInputType, name: string, path: Array<string | number>) => {
    if (path.length > 6) return; // recursive inputs (Cube's where: {AND: [...]}) stop here
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) {
      const item = baseValue(inner.ofType, name, schema);
      const one = Array.isArray(PLAUSIBLE[name]) ? (PLAUSIBLE[name] as Json[])[0]! : item;
      variants.push({ variables: setAt(base, path, Array.from({ length: 70_000 }, () => one)), what: `${path.join('.')} × 70,000` });
      variants.push({ variables: setAt(base, path, Array.from({ length: 2_000 }, (_, i) => (typeof one === 'string' ? `${one}${i}` : one))), what: `${path.join('.')} × 2,000 distinct` });
      visit(inner.ofType, name, [...path, 0]);
      return;
    }
    if (isInputObjectType(inner)) {
      for (const f of Object.values(inner.getFields())) visit(f.type, f.name, [...path, f.name]);
      return;
    }
    if (isLeafType(inner)) {
      for (const v of pick(hostileLeaf(inner, name))) variants.push({ variables: setAt(base, path, v), what: `${path.join('.')} = ${JSON.stringify(v).slice(0, 60)}` });
    }
  };
  for (const a of field.args as readonly GraphQLArgument[]) visit(a.type, a.name, [a.name]);
  return variants;
}

function setAt(root: Record<string, Json>, path: Array<string | number>, value: Json): Record<string, Json> {
  const copy = structuredClone(root) as Record<string, Json>;
  let at: any = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (at[k] === undefined || at[k] === null) at[k] = typeof path[i + 1] === 'number' ? [] : {};
    at = at[k];
  }
  at[path.at(-1)!] = value;
  return copy;
}

/** `query($a: T!) { field(a: $a) { scalar fields } }` for one root field. */
export function documentFor(operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const vars = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `${operation}${vars ? `(${vars})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection(getNamedType(field.type))} }`;
}

function selection(type: GraphQLNamedType): string {
  if (isScalarType(type) || isEnumType(type)) return '';
  if (!isObjectType(type)) return ' { __typename }';
  const leaves = Object.values(type.getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type)) && isLeafType(getNamedType(f.type)));
  return ` { __typename ${leaves.map((f) => f.name).join(' ')} }`;
}

/** Database, stack and runtime text that must never reach a client. */
export const INTERNAL_TEXT = /syntax error at or near|violates [a-z ]*constraint|relation "[^"]*"|column "[^"]*"|invalid input syntax for|out of range for type|invalid byte sequence|SQLSTATE|\bat [\w.<>]+ \(|node_modules|\.ts:\d+:\d+|\.js:\d+:\d+|TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|INTERNAL_SERVER_ERROR|pg_catalog|timescaledb/i;
