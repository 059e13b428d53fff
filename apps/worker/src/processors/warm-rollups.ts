// Builds missing roll-up partitions and rebuilds the ones written to since their build (ingest,
// repricing and retention mark the days they touch dirty, in their own transactions). Queries
// are exact without it (dirty partitions are read from raw events); warming makes them cheap again.
import type { Logger } from 'pino';
import type { SemanticLayer } from '@spendgraph/semantic';
import type { WarmRollupsResult } from '@spendgraph/queue';

export function warmRollupsProcessor(deps: { semantic: SemanticLayer; log: Logger }) {
  return async (): Promise<WarmRollupsResult> => {
    const started = performance.now();
    const { built, prunedDirtyMarks } = await deps.semantic.warmPreAggregations();
    const result = { built: built.length, prunedDirtyMarks, ms: Math.round(performance.now() - started) };
    deps.log.info(result, 'roll-ups warmed');
    return result;
  };
}
