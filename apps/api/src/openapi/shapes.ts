// Answers' shapes for the OpenAPI document: what the routes send back (requests are described
// by the very zod schemas that check them, imported where they live).
import { z } from 'zod';

export const errorSchema = z.object({
  error: z.string().describe('a short code: invalid_request, unauthorized, forbidden, not_found, conflict, rate_limited, unavailable…'),
  code: z.string().optional(),
  field: z.string().optional().describe('the parameter or body field at fault'),
  message: z.string().describe('what to fix'),
}).meta({ id: 'Error' });

export const batchIssueSchema = z.object({
  index: z.int().describe('the event’s position in the batch (0-based); -1 for the batch as a whole'),
  path: z.string().describe('dotted path of the field at fault, e.g. usage.input_tokens'),
  message: z.string(),
  code: z.literal('restricted').optional(),
}).meta({ id: 'BatchIssue' });

export const invalidEventsSchema = z.object({
  error: z.literal('invalid_events'),
  message: z.string(),
  issues: z.array(batchIssueSchema),
}).meta({ id: 'InvalidEvents' });

export const acceptedSchema = z.object({
  accepted: z.int().describe('events queued'),
  ids: z.array(z.uuid()).describe('their ids, in request order (derived from the content when the event had none)'),
}).meta({ id: 'Accepted' });

export const sessionSchema = z.object({
  session: z.string().describe('the session id, sent as "Authorization: Bearer <session>"'),
  expiresAt: z.iso.datetime(),
  userId: z.uuid().optional(),
  workspaceId: z.uuid().optional(),
  role: z.enum(['owner', 'admin', 'analyst', 'viewer']).optional(),
}).meta({ id: 'Session' });

/** Rows of plans, tasks and work items as stored (snake_case, as sent). */
export const workEntitySchema = z.looseObject({ id: z.string(), workspace_id: z.uuid().optional() }).meta({ id: 'WorkEntity' });

export const graphqlRequestSchema = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).optional(),
  operationName: z.string().optional(),
}).meta({ id: 'GraphqlRequest' });

export const meSchema = z.object({
  workspaceId: z.uuid(),
  userId: z.uuid().nullable(),
  role: z.string().nullable(),
  keyId: z.uuid().nullable(),
  permissions: z.array(z.string()),
});
