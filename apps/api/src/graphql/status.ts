// systemStatus: what an operator checks first — is anything piling up, did the upkeep jobs run.
// Queues and schedules hold every tenant's work: those fields answer only a request that also
// carries the operator's token (x-spendgraph-operator-token), never a tenant's admin key alone.
import { GraphQLError } from 'graphql';
import type { QueueInspector } from '@spendgraph/queue';

export interface StatusDeps {
  inspector: QueueInspector;
  operatorToken: string;
}

interface StatusContext { operator: boolean }

function requireOperator(c: StatusContext) {
  if (!c.operator) {
    throw new GraphQLError('queues and schedules are system-wide: send the operator token in x-spendgraph-operator-token', { extensions: { code: 'FORBIDDEN' } });
  }
}

const unavailable = (err: Error) => {
  throw new GraphQLError(`the queues cannot be read: ${err.message}`, { extensions: { code: 'UNAVAILABLE' } });
};

export function statusResolvers(deps: StatusDeps) {
  return {
    Query: {
      systemStatus: () => ({ checkedAt: new Date().toISOString() }),
    },
    SystemStatus: {
      queues: async (_: unknown, _args: unknown, c: StatusContext) => {
        requireOperator(c);
        const queues = await deps.inspector.queues().catch(unavailable);
        return queues.map(({ name, counts }) => ({ name, ...counts, backlog: counts.waiting + counts.prioritized + counts.delayed }));
      },
      schedules: async (_: unknown, _args: unknown, c: StatusContext) => {
        requireOperator(c);
        const schedules = await deps.inspector.schedules().catch(unavailable);
        return schedules.map((s) => ({
          queue: s.queue, name: s.name, every: s.every, pattern: s.pattern, timezone: s.timezone, nextRunAt: s.nextRunAt,
          lastSuccessAt: s.lastSuccess?.at ?? null, lastSuccessMs: s.lastSuccess?.ms ?? null,
          lastFailureAt: s.lastFailure?.at ?? null, lastError: s.lastFailure?.error ?? null,
        }));
      },
    },
  };
}
