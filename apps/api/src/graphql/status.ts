// systemStatus: what an operator checks first — is anything piling up, did the upkeep jobs run.
import { GraphQLError } from 'graphql';
import type { QueueInspector } from '@spendgraph/queue';

export interface StatusDeps {
  inspector: QueueInspector;
}

export function statusResolvers(deps: StatusDeps) {
  return {
    Query: {
      systemStatus: async (_: unknown, _args: unknown, c: { scopes: string[] }) => {
        if (!c.scopes.includes('admin')) throw new GraphQLError('systemStatus needs a key with the admin scope', { extensions: { code: 'FORBIDDEN' } });
        const [queues, schedules] = await Promise.all([deps.inspector.queues(), deps.inspector.schedules()]).catch((err) => {
          throw new GraphQLError(`the queues cannot be read: ${err.message}`, { extensions: { code: 'UNAVAILABLE' } });
        });
        return {
          checkedAt: new Date().toISOString(),
          queues: queues.map(({ name, counts }) => ({ name, ...counts, backlog: counts.waiting + counts.prioritized + counts.delayed })),
          schedules: schedules.map((s) => ({
            queue: s.queue, name: s.name, every: s.every, pattern: s.pattern, timezone: s.timezone, nextRunAt: s.nextRunAt,
            lastSuccessAt: s.lastSuccess?.at ?? null, lastSuccessMs: s.lastSuccess?.ms ?? null,
            lastFailureAt: s.lastFailure?.at ?? null, lastError: s.lastFailure?.error ?? null,
          })),
        };
      },
    },
  };
}
