// PUT /v1/plans/:id, /v1/tasks/:id, /v1/work-items/:id — upsert the work that
// spends (tools sync them from trackers and planners); GET lists them.
// Bodies and answers use the events' snake_case; absent fields keep their value.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import {
  type Pool, listPlans, listTasks, listWorkItems, upsertPlan, upsertTask, upsertWorkItem,
} from '@spendgraph/db';
import { planUpsertSchema, taskUpsertSchema, workEntityIdSchema, workItemUpsertSchema } from '@spendgraph/schema';
import { type Authenticate, authenticated } from '../auth.ts';
import { camelKeys, snakeKeys } from '../case.ts';


function invalid(reply: FastifyReply, issues: z.core.$ZodIssue[], prefix = '') {
  return reply.code(400).send({
    error: 'invalid_request',
    message: issues.map((i) => `${prefix}${i.path.join('.')}: ${i.message}`).join('; '),
    issues: issues.map((i) => ({ path: `${prefix}${i.path.join('.')}`, message: i.message })),
  });
}

export function workRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; pool: Pool }) {
  const write = { preHandler: authenticated(deps.authenticate) };
  const read = { preHandler: authenticated(deps.authenticate) };
  const entities = [
    { path: 'plans', schema: planUpsertSchema, upsert: upsertPlan, list: (ws: string) => listPlans(deps.pool, ws) },
    { path: 'tasks', schema: taskUpsertSchema, upsert: upsertTask, list: (ws: string) => listTasks(deps.pool, ws) },
    { path: 'work-items', schema: workItemUpsertSchema, upsert: upsertWorkItem, list: (ws: string) => listWorkItems(deps.pool, ws) },
  ] as const;
  for (const e of entities) {
    app.put<{ Params: { id: string } }>(`/v1/${e.path}/:id`, write, async (request, reply) => {
      const id = workEntityIdSchema.safeParse(request.params.id);
      if (!id.success) return invalid(reply, id.error.issues, 'id');
      const body = e.schema.safeParse(request.body ?? {});
      if (!body.success) return invalid(reply, body.error.issues);
      const saved = await e.upsert(deps.pool, request.identity!.workspaceId, id.data, camelKeys(body.data) as never);
      return snakeKeys(saved);
    });
    app.get(`/v1/${e.path}`, read, async (request) => ({ data: (await e.list(request.identity!.workspaceId)).map(snakeKeys) }));
  }
}
