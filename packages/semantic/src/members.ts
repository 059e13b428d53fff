// The names queries use: the public views of the model (cube/model/views) and their
// members (`usage.total_cost`). Defined here once; every package builds member names
// with these instead of spelling `usage.` itself.

/** Raw events (and their roll-ups): the view every query names unless it asks for history. */
export const USAGE_VIEW = 'usage';
/** Daily aggregates of the whole history, including days past raw-event retention; same member names. */
export const HISTORY_VIEW = 'usage_history';
export type ViewName = typeof USAGE_VIEW | typeof HISTORY_VIEW;

/** A view's member: `member('usage', 'total_cost')` is `'usage.total_cost'`, typed as that literal. */
export function member<V extends ViewName, N extends string>(view: V, name: N): `${V}.${N}` {
  return `${view}.${name}`;
}

/** A member of the `usage` view: `usageMember('total_cost')` is `'usage.total_cost'`. */
export function usageMember<N extends string>(name: N): `${typeof USAGE_VIEW}.${N}` {
  return member(USAGE_VIEW, name);
}

/** Provider bills as imported (cube/model/views/bills.yml): what the reconciliation sets beside `usage`. */
export const BILLS_VIEW = 'bills';

/** A member of the `bills` view: `billsMember('billed')` is `'bills.billed'`. */
export function billsMember<N extends string>(name: N): `${typeof BILLS_VIEW}.${N}` {
  return `${BILLS_VIEW}.${name}`;
}

/** Billed beside tracked (cube/model/views/reconciliation.yml): what Query.reconciliation asks. */
export const RECONCILIATION_VIEW = 'reconciliation';

/** A member of the `reconciliation` view: `reconciliationMember('variance')` is `'reconciliation.variance'`. */
export function reconciliationMember<N extends string>(name: N): `${typeof RECONCILIATION_VIEW}.${N}` {
  return `${RECONCILIATION_VIEW}.${name}`;
}
