// repriceEvents (admin): records the request and queues the worker's repricing job.
import { now as clockNow } from '@spendgraph/periods/clock';
import type { Queue } from 'bullmq';
import { GraphQLError } from 'graphql';
import { type Db, type Pool, type PoolClient, type Repricing, getRepricing, listRepricings, requestRepricing, workspaceRetention } from '@spendgraph/db';
import { REPRICE_JOB, type RepriceJobData } from '@spendgraph/queue';
import { afterCommit, changeDb } from '../audit.ts';
import { argumentError } from '../query/errors.ts';
import { checkDateRange, checkText } from '../query-limits.ts';

/** Repricings of a workspace run one at a time: a new one is refused while another waits. */
async function requireNoneQueued(pool: Db, workspaceId: string) {
  if ((await listRepricings(pool, workspaceId, 20)).some((r) => r.status === 'queued')) {
    throw new GraphQLError('a repricing of this workspace is still queued; ask again when it is done (see repricings)', { extensions: { code: 'RATE_LIMITED' } });
  }
}

export interface RepricingDeps {
  pool: Pool;
  /** The maintenance queue, where the worker reprices. */
  maintenance: Queue;
}

interface Ctx {
  workspaceId: string;
  keyId: string | null;
  userId?: string;
  /** The audited change's transaction (graphql/authorize.ts). */
  db?: PoolClient;
}

interface RepriceInput {
  reason: string;
  provider: string;
  modelPattern?: string | null;
  from: string;
  to?: string | null;
}

const int = (v: string | null) => (v === null ? null : Number(v));
const sources = (s: Record<string, number> | null) => s && Object.entries(s).map(([source, events]) => ({ source, events })).sort((a, b) => a.source.localeCompare(b.source));

function present(r: Repricing) {
  return {
    id: r.id, status: r.status, requestedBy: r.requestedByName, requestedByKeyId: r.requestedByKey, requestedAt: r.requestedAt,
    reason: r.reason, provider: r.provider, modelPattern: r.modelPattern, from: r.rangeFrom, to: r.rangeTo,
    startedAt: r.startedAt, finishedAt: r.finishedAt, eventsMatched: int(r.eventsMatched), eventsChanged: int(r.eventsChanged),
    totalBefore: r.totalBefore, totalAfter: r.totalAfter, unpricedBefore: int(r.unpricedBefore), unpricedAfter: int(r.unpricedAfter),
    sourcesBefore: sources(r.sourcesBefore), sourcesAfter: sources(r.sourcesAfter), error: r.error,
  };
}

function checkInput(input: RepriceInput) {
  checkText('input.reason', input.reason, 2000);
  checkText('input.provider', input.provider, 200);
  checkText('input.modelPattern', input.modelPattern, 500);
  if (!input.reason.trim()) throw argumentError('INVALID_ARGUMENT', 'input.reason', 'say what price changed');
  if (!input.provider.trim()) throw argumentError('INVALID_ARGUMENT', 'input.provider', 'is required');
  if (input.modelPattern) {
    try {
      new RegExp(input.modelPattern, 'i');
    } catch {
      throw argumentError('INVALID_ARGUMENT', 'input.modelPattern', 'is not a valid regular expression');
    }
  }
  const from = Date.parse(input.from);
  const to = input.to ? Date.parse(input.to) : clockNow().getTime();
  if (Number.isNaN(from)) throw argumentError('INVALID_ARGUMENT', 'input.from', `'${input.from}' is not an ISO date or time`);
  if (Number.isNaN(to)) throw argumentError('INVALID_ARGUMENT', 'input.to', `'${input.to}' is not an ISO date or time`);
  if (to <= from) throw argumentError('INVALID_ARGUMENT', 'input.to', 'must be after input.from');
  checkDateRange('input', [new Date(from).toISOString(), new Date(to).toISOString()]);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

export function repricingResolvers(deps: RepricingDeps) {
  return {
    Query: {
      repricings: async (_: unknown, { first }: { first: number }, c: Ctx) => (await listRepricings(deps.pool, c.workspaceId, Math.min(Math.max(first, 1), 500))).map(present),
      repricing: async (_: unknown, { id }: { id: string }, c: Ctx) => {
        if (!/^[0-9a-f-]{36}$/i.test(id)) throw argumentError('INVALID_ARGUMENT', 'id', 'is not a repricing id');
        const r = await getRepricing(deps.pool, c.workspaceId, id);
        return r ? present(r) : null;
      },
    },
    Mutation: {
      repriceEvents: async (_: unknown, { input }: { input: RepriceInput }, c: Ctx) => {
        const range = checkInput(input);
        // Daily aggregates keep costs, not tokens: events past retention cannot be priced again.
        const { rawDataHorizon } = await workspaceRetention(deps.pool, c.workspaceId);
        if (rawDataHorizon && Date.parse(range.from) < Date.parse(rawDataHorizon)) {
          throw argumentError('RAW_DATA_EXPIRED', 'input.from', `raw events before ${rawDataHorizon} are gone (retention) and cannot be repriced; start at or after it`, { rawDataHorizon });
        }
        const db = changeDb(deps.pool, c);
        await requireNoneQueued(db, c.workspaceId);
        const r = await requestRepricing(db, {
          workspaceId: c.workspaceId, keyId: c.keyId, userId: c.userId, reason: input.reason.trim(), provider: input.provider.trim().toLowerCase(),
          modelPattern: input.modelPattern || null, ...range,
        });
        // Queued once the request is committed: the worker reads its row.
        return afterCommit(r, async () => {
          const data: RepriceJobData = { repricingId: r.id, workspaceId: c.workspaceId };
          await deps.maintenance.add(REPRICE_JOB, data, { jobId: r.id, attempts: 3, backoff: { type: 'exponential', delay: 2000 } });
          return present(r);
        });
      },
    },
  };
}
