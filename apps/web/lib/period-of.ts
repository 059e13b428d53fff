// The absolute period the API's clock names for a relative range (as on every page): pages whose
// figures are per UTC day (reconciliation, profitability) ask for those days.
import { type ApiResult, gql } from './api';
import type { Period } from './breakdown';
import { PeriodOfRangeDocument, type TimeRange } from './graphql/operations';
import { rangeName } from './query-state';

/** A range's period: a relative name (`last 30 days`), its previous period, or From/To dates. */
export async function periodOf(range: string | TimeRange): Promise<ApiResult<Period>> {
  const r = typeof range === 'string' ? { relative: range } : range;
  const res = await gql(PeriodOfRangeDocument, { range: r });
  if (!res.ok) return res;
  const { period } = res.data.range;
  return period ? { ok: true, data: period } : { ok: false, errors: [{ message: `the API named no period for ${rangeName({ relative: r.relative ?? undefined, from: r.from ?? undefined, to: r.to ?? undefined })}`, field: 'timeRange' }] };
}
