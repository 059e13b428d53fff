// An explicit repricing: prices the covered events again with today's sources (catalog,
// price file, the workspace's rates), records the figures before and after in the audit
// row and marks the repriced days dirty, in one transaction; then rebuilds their roll-ups.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { type Pool, applyRepricing, failRepricing } from '@spendgraph/db';
import { type Pricer, costOf } from '@spendgraph/pricing';
import type { RepriceJobData } from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';
import { loadWorkspacePricing } from '../workspace-pricing.ts';

export function repriceProcessor(deps: { pool: Pool; pricer: Pricer; semantic: SemanticLayer; log: Logger }) {
  return async (job: Job<RepriceJobData>) => {
    const { repricingId, workspaceId } = job.data;
    try {
      const ws = await loadWorkspacePricing(deps.pool, workspaceId);
      const r = await applyRepricing(deps.pool, repricingId, (e) => costOf(e, deps.pricer, ws));
      // Queries are already exact (the days are dirty); rebuilding makes them cheap again.
      const { built } = Number(r.eventsChanged) ? await deps.semantic.warmPreAggregations() : { built: [] };
      const result = { repricingId, matched: Number(r.eventsMatched), changed: Number(r.eventsChanged), before: r.totalBefore, after: r.totalAfter, rollupsRebuilt: built.length };
      deps.log.info(result, 'repriced');
      return result;
    } catch (err) {
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await failRepricing(deps.pool, repricingId, (err as Error).message);
      throw err;
    }
  };
}
