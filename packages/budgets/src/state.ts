// A budget as it stands now, from its latest evaluation: what lists show and what the guard decides on.
import { Decimal } from 'decimal.js';
import type { Budget, BudgetStatus } from '@spendgraph/db';

export type BudgetState = 'ok' | 'warning' | 'over' | 'paused' | 'pending';
/** What the period's end looks like: never contradicting the spend (a budget over its limit is `over`). */
export type BudgetOutlook = 'over' | 'crosses' | 'under' | 'unknown';

export interface BudgetStanding {
  state: BudgetState;
  /** Spend in the current period: 0 once the evaluated period has ended (a new one began). */
  spend: Decimal;
  amount: Decimal;
  remaining: Decimal;
  percentUsed: number;
  /** A hard budget at or over its limit: work in its scope is denied. */
  blocking: boolean;
  /** Whether the evaluated period is still the current one. */
  current: boolean;
  outlook: BudgetOutlook;
  /** Over, in warning (a threshold reached), blocking, or projected to cross: what every list of budgets at risk shows. */
  atRisk: boolean;
}

export function standing(b: Budget, status: BudgetStatus | undefined, now: Date): BudgetStanding {
  return standingFor(b, status, !!status && (status.periodEnd === null || now < new Date(status.periodEnd)));
}

/** The standing while the evaluated period is current, or once it has ended (nothing spent in the new one yet). */
export function standingFor(b: Budget, status: BudgetStatus | undefined, current: boolean): BudgetStanding {
  const amount = new Decimal(b.amount);
  const spend = current ? new Decimal(status!.spend) : new Decimal(0);
  const percentUsed = spend.div(amount).times(100).toDecimalPlaces(6).toNumber();
  const over = spend.gte(amount);
  const warning = current && status!.reached.length > 0;
  const state: BudgetState = b.paused ? 'paused' : !status ? 'pending' : over ? 'over' : warning ? 'warning' : 'ok';
  const projected = current ? status!.projectedSpend : null;
  const outlook: BudgetOutlook = !current ? 'unknown' : over ? 'over' : projected === null ? 'unknown' : new Decimal(projected).gte(amount) ? 'crosses' : 'under';
  const blocking = !b.paused && b.mode === 'hard' && over;
  return {
    outlook,
    atRisk: !b.paused && current && (state === 'over' || state === 'warning' || blocking || outlook === 'crosses'),
    state,
    spend,
    amount,
    remaining: Decimal.max(0, amount.minus(spend)),
    percentUsed,
    blocking,
    current,
  };
}
