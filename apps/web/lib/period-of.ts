// The absolute period the API's clock names for a relative range (as on every page): pages whose
// figures are per UTC day (reconciliation, profitability) ask for those days.
import { type ApiResult, gql } from './api';
import type { Period } from './breakdown';
import { PeriodOfRangeDocument } from './graphql/operations';

export async function periodOf(relative: string): Promise<ApiResult<Period>> {
  const res = await gql(PeriodOfRangeDocument, { range: { relative } });
  if (!res.ok) return res;
  const { period } = res.data.range;
  return period ? { ok: true, data: period } : { ok: false, errors: [{ message: `the API named no period for ${relative}`, field: 'timeRange' }] };
}
