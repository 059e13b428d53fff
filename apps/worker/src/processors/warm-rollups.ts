// Builds missing roll-up partitions and rebuilds stale ones, so user queries
// read roll-ups and never wait for one to be built.
import type { Logger } from 'pino';
import type { SemanticLayer } from '@spendgraph/semantic';
import type { WarmRollupsResult } from '@spendgraph/queue';

export function warmRollupsProcessor(deps: { semantic: SemanticLayer; log: Logger }) {
  return async (): Promise<WarmRollupsResult> => {
    const started = performance.now();
    const { built } = await deps.semantic.warmPreAggregations();
    const result = { built: built.length, ms: Math.round(performance.now() - started) };
    deps.log.info(result, 'roll-ups warmed');
    return result;
  };
}
