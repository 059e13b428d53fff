// Inputs of the people and key mutations, checked with zod; a failure names its field.
import { z } from 'zod';
import { API_KEY_SCOPES, ROLES } from '@spendgraph/db';
import { keyRestrictionSchema } from '@spendgraph/schema';
import { badInput } from './errors.ts';

export const emailSchema = z.string().trim().max(320).regex(/^[^@\s]+@[^@\s]+$/, 'is not an e-mail address');
export const roleSchema = z.enum(ROLES);
/** The user_id values a person's calls carry: as events store them (trimmed, unique). */
export const developerIdsSchema = z.array(z.string().trim().min(1, 'must not be empty').max(200)).max(20, 'at most 20 ids').transform((ids) => [...new Set(ids)]);

export const apiKeyInputSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, 'needs at least one scope'),
  expiresAt: z.iso.datetime({ offset: true }).nullish()
    .refine((v) => !v || Date.parse(v) > Date.now(), 'must be in the future'),
  // A key confined to one value per context dimension, e.g. agent = nightly-evals.
  restriction: keyRestrictionSchema.nullish(),
}).refine((k) => !k.restriction || !k.scopes.includes('admin'), { path: ['restriction'], message: 'a key with the admin scope cannot be restricted: it could make unrestricted keys' });

export const auditFilterSchema = z.object({
  action: z.string().max(100).nullish(),
  actorUserId: z.string().uuid().nullish(),
  actorKeyId: z.string().uuid().nullish(),
  targetType: z.string().max(100).nullish(),
  targetId: z.string().max(200).nullish(),
  since: z.iso.datetime({ offset: true }).nullish(),
  until: z.iso.datetime({ offset: true }).nullish(),
});

/** Parses with `schema`, or throws BAD_USER_INPUT naming the first bad field under `prefix`. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, value: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw badInput([prefix, ...issue.path].filter((p) => p !== '').join('.'), issue.message);
}
