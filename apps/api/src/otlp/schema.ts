// The OTLP/JSON trace request as we read it, checked before a span is mapped: a wrong type
// anywhere (a time as "abc", 1.5 or {}, a null span or attribute) is a 400 naming its path,
// never a crash. Fields we do not read pass through untouched (looseObject).
import { z } from 'zod';

/** Unsigned 64-bit nanoseconds since the epoch: a decimal string (OTLP/JSON) or a safe integer. */
const nanos = z.union([
  z.string().regex(/^\d{1,20}$/, 'must be nanoseconds since the epoch as a decimal string'),
  z.number().int('must be a whole number of nanoseconds').min(0).max(Number.MAX_SAFE_INTEGER),
]);

const anyValue = z.looseObject({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.string().regex(/^-?\d{1,20}$/, 'must be an integer'), z.number().int()]).optional(),
  doubleValue: z.number().optional(),
});

const keyValue = z.looseObject({ key: z.string(), value: anyValue.optional() });
const attributes = z.array(keyValue).optional();

const span = z.looseObject({
  traceId: z.string().max(64).optional(),
  spanId: z.string().max(32).optional(),
  name: z.string().optional(),
  startTimeUnixNano: nanos.optional(),
  endTimeUnixNano: nanos.optional(),
  attributes,
  status: z.looseObject({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() }).optional(),
});

export const otlpTraceRequestSchema = z.looseObject({
  resourceSpans: z.array(z.looseObject({
    resource: z.looseObject({ attributes }).optional(),
    scopeSpans: z.array(z.looseObject({ spans: z.array(span).optional() })).optional(),
  })).optional(),
});

export type OtlpTraceRequestInput = z.infer<typeof otlpTraceRequestSchema>;
