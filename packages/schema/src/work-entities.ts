// Plans, tasks and work items as tools send them (REST bodies, in the events'
// snake_case; GraphQL inputs are mapped to it). Absent fields keep what is stored.
import { z } from 'zod';
import { storableText } from './usage-event.ts';

export const PLAN_STATUSES = ['draft', 'open', 'in_progress', 'done', 'cancelled'] as const;
export const TASK_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;

/** Ids are the workspace's own, as events carry them in plan_id, task_id and work_item. */
export const workEntityIdSchema = z.string().trim().min(1).max(200).regex(/^[^\s\u0000-\u001f]+$/, 'must not contain spaces or control characters');

const text = (max: number) => storableText.trim().min(1).max(max).nullable().optional();
/** A time the database can store and a person meant: years 2000 to 9999 (year 0000 is no date at all). */
export const storableInstant = z.iso.datetime({ offset: true }).refine((t) => {
  const year = new Date(t).getUTCFullYear();
  return year >= 2000 && year <= 9999;
}, 'must be between the years 2000 and 9999');
const instant = storableInstant.nullable().optional();

export const planUpsertSchema = z.strictObject({
  name: text(500),
  status: z.enum(PLAN_STATUSES).optional(),
  source_document: text(2000),
  owner: text(200),
  closed_at: instant,
});

export const taskUpsertSchema = z.strictObject({
  plan_id: workEntityIdSchema.nullable().optional(),
  task_type: text(200),
  status: z.enum(TASK_STATUSES).optional(),
  estimate: z.union([z.number().finite().min(0), z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal')])
    .transform(String).nullable().optional(),
  closed_at: instant,
});

export const workItemUpsertSchema = z.strictObject({
  title: text(1000),
  repository: text(500),
  url: z.url().max(2000).refine((u) => !u.includes('\u0000'), 'must not contain NUL characters').nullable().optional(),
});

export type PlanUpsert = z.infer<typeof planUpsertSchema>;
export type TaskUpsert = z.infer<typeof taskUpsertSchema>;
export type WorkItemUpsert = z.infer<typeof workItemUpsertSchema>;
