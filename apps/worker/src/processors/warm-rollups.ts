// Builds missing roll-up partitions and rebuilds stale ones, so user queries
// read roll-ups and never wait for one to be built. Partitions holding days that
// were back-filled past the incremental refresh window are dropped first, to be
// built again with the new events.
import type { Logger } from 'pino';
import type { SemanticLayer } from '@spendgraph/semantic';
import { type Redis, type WarmRollupsResult, takeBackfilledDays } from '@spendgraph/queue';

const DAY_MS = 86_400_000;

export function warmRollupsProcessor(deps: { semantic: SemanticLayer; redis: Redis; log: Logger }) {
  return async (): Promise<WarmRollupsResult> => {
    const started = performance.now();
    const days = await takeBackfilledDays(deps.redis);
    if (days.length) {
      const from = new Date(`${days[0]}T00:00:00Z`);
      const to = new Date(Date.parse(`${days[days.length - 1]}T00:00:00Z`) + DAY_MS);
      const dropped = await deps.semantic.dropRollupPartitions(from, to);
      deps.log.info({ days: days.length, from: days[0], to: days[days.length - 1], dropped: dropped.length }, 'back-filled days: roll-up partitions dropped for a rebuild');
    }
    const { built } = await deps.semantic.warmPreAggregations();
    const result = { built: built.length, ms: Math.round(performance.now() - started) };
    deps.log.info(result, 'roll-ups warmed');
    return result;
  };
}
