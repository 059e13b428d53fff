// Moves raw events past their workspace's retention into daily aggregates and drops
// the chunks left empty (rules: db/migrations/1764900000000_retention.sql).
import type { Logger } from 'pino';
import { type Pool, type RetentionResult, applyRetention } from '@spendgraph/db';

export function applyRetentionProcessor(deps: { pool: Pool; log: Logger }) {
  return async (): Promise<RetentionResult & { ms: number }> => {
    const started = performance.now();
    const result = { ...(await applyRetention(deps.pool)), ms: Math.round(performance.now() - started) };
    deps.log.info(result, 'retention applied');
    return result;
  };
}
