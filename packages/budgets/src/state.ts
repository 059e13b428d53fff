// A budget as it stands now, from its latest evaluation: what lists show and what the guard decides on.
import { Decimal } from 'decimal.js';
import type { Budget, BudgetStatus } from '@spendgraph/db';

export type BudgetState = 'ok' | 'warning' | 'over' | 'paused' | 'pending';

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
  return {
    state,
    spend,
    amount,
    remaining: Decimal.max(0, amount.minus(spend)),
    percentUsed,
    blocking: !b.paused && b.mode === 'hard' && over,
    current,
  };
}
