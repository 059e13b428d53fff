// An explicit repricing: prices the covered events again with today's sources (catalog,
// price file, the workspace's rates), records the figures before and after in the audit
// row and marks the repriced days dirty, in one transaction; then rebuilds their roll-ups.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { type Pool, type StoredEvent, applyRepricing, failRepricing } from '@spendgraph/db';
import type { Pricer } from '@spendgraph/pricing';
import type { RepriceJobData } from '@spendgraph/queue';
import type { IngestEvent } from '@spendgraph/schema';
import type { SemanticLayer } from '@spendgraph/semantic';
import { costOf } from '../price-event.ts';
import { loadWorkspacePricing } from '../workspace-pricing.ts';

/** The fields pricing reads; a supplied cost is the stored total of a 'supplied' row. */
function asEvent(e: StoredEvent): IngestEvent {
  return {
    event_id: e.event_id, occurred_at: new Date(e.occurred_at).toISOString(), kind: e.kind as IngestEvent['kind'], provider: e.provider, model: e.model,
    status: 'ok', latency_ms: null, currency: e.currency, source: e.source, context: {}, tags: {},
    cost: e.price_source === 'supplied' ? e.total_cost : null,
    tokens: {
      input: e.input_tokens, output: e.output_tokens, cache_read: e.cache_read_tokens, cache_write_5m: e.cache_write_5m_tokens,
      cache_write_1h: e.cache_write_1h_tokens, reasoning: e.reasoning_tokens,
    },
  };
}

export function repriceProcessor(deps: { pool: Pool; pricer: Pricer; semantic: SemanticLayer; log: Logger }) {
  return async (job: Job<RepriceJobData>) => {
    const { repricingId, workspaceId } = job.data;
    try {
      const ws = await loadWorkspacePricing(deps.pool, workspaceId);
      const r = await applyRepricing(deps.pool, repricingId, (e) => costOf(asEvent(e), deps.pricer, ws));
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
