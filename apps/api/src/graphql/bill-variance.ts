// Bill variance alerts: the workspace's threshold and the alerts the worker raised.
import { type Pool, type PoolClient, billVarianceThreshold, listBillVarianceAlerts, setBillVarianceThreshold } from '@spendgraph/db';
import { changeDb } from '../audit.ts';
import { argumentError } from '../query/errors.ts';

interface Ctx { workspaceId: string; db?: PoolClient }

const PERCENT = /^\d{1,4}(\.\d{1,6})?$/;

function checkPercent(percent: string | null | undefined): string | null {
  if (percent == null) return null;
  if (!PERCENT.test(percent) || Number(percent) <= 0 || Number(percent) > 1000) {
    throw argumentError('INVALID_ARGUMENT', 'percent', `'${percent}' is not a percent above 0 and at most 1000 (a decimal string such as "5" or "2.5")`);
  }
  return percent;
}

export function billVarianceResolvers(deps: { pool: Pool }) {
  return {
    Query: {
      billVarianceThreshold: (_: unknown, _a: unknown, c: Ctx) => billVarianceThreshold(deps.pool, c.workspaceId),
      billVarianceAlerts: (_: unknown, { first }: { first?: number | null }, c: Ctx) => {
        if (first != null && (first < 1 || first > 1000)) throw argumentError('INVALID_ARGUMENT', 'first', 'must be between 1 and 1000');
        return listBillVarianceAlerts(deps.pool, c.workspaceId, first ?? 100);
      },
    },
    Mutation: {
      setBillVarianceThreshold: (_: unknown, { percent }: { percent?: string | null }, c: Ctx) =>
        setBillVarianceThreshold(changeDb(deps.pool, c), c.workspaceId, checkPercent(percent)),
    },
  };
}
