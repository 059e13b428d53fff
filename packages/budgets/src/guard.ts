// The guard decision: may work with this context start? Budgets are compiled
// once into an index (by the values their scopes name, with each standing
// computed), so a check looks at the few budgets that can apply and does no
// decimal arithmetic unless a period rolled over since the index was built.
import { Decimal } from 'decimal.js';
import type { Budget, BudgetStatus } from '@spendgraph/db';
import { appliesTo } from './scope.ts';
import { type BudgetStanding, standingFor } from './state.ts';

export interface GuardBudget {
  budget: Budget;
  status: BudgetStatus | undefined;
}

export interface GuardBudgetAnswer {
  budget: Budget;
  standing: BudgetStanding;
  /** When the current period ends (calendar budgets): a denial lifts then. */
  resetsAt: string | null;
}

export interface GuardDecision {
  allow: boolean;
  reason: string;
  /** Budgets whose scope covers the context, blocking ones first, then by remaining amount. */
  budgets: GuardBudgetAnswer[];
  /** The least remaining amount among them; null when none applies. */
  remaining: Decimal | null;
  /** The oldest evaluation the answer rests on. */
  evaluatedAt: string | null;
}

interface Entry {
  budget: Budget;
  status: BudgetStatus | undefined;
  /** The standing while the evaluated period lasts. */
  standing: BudgetStanding;
  periodEnd: number;
  /** The standing once it has ended (nothing spent in the new period yet), computed on first need. */
  afterPeriod?: BudgetStanding;
}

export interface GuardIndex {
  /** `member\0value` of one `equals` condition of each budget's scope -> the budgets naming it. */
  byValue: Map<string, Entry[]>;
  /** Budgets without an `equals` condition (the whole workspace, exclusions only): checked every time. */
  always: Entry[];
}

const key = (member: string, value: string) => `${member}\0${value}`;

export function buildGuardIndex(budgets: GuardBudget[]): GuardIndex {
  const index: GuardIndex = { byValue: new Map(), always: [] };
  for (const { budget, status } of budgets) {
    if (budget.paused) continue;
    const entry: Entry = { budget, status, standing: standingFor(budget, status, !!status), periodEnd: status?.periodEnd ? Date.parse(status.periodEnd) : Infinity };
    const anchor = budget.scope.find((f) => f.operator === 'equals');
    if (!anchor) {
      index.always.push(entry);
      continue;
    }
    for (const v of anchor.values) {
      const k = key(anchor.member, v);
      const list = index.byValue.get(k);
      if (list) list.push(entry);
      else index.byValue.set(k, [entry]);
    }
  }
  return index;
}

function candidates(index: GuardIndex, context: ReadonlyMap<string, string>): Set<Entry> {
  const found = new Set(index.always);
  for (const [member, value] of context) for (const e of index.byValue.get(key(member, value)) ?? []) found.add(e);
  return found;
}

function standingAt(e: Entry, now: Date): BudgetStanding {
  if (now.getTime() < e.periodEnd) return e.standing;
  return (e.afterPeriod ??= standingFor(e.budget, e.status, false));
}

export function decide(index: GuardIndex, context: ReadonlyMap<string, string>, now: Date): GuardDecision {
  const applicable = [...candidates(index, context)]
    .filter((e) => appliesTo(e.budget, context))
    .map((e) => {
      const current = now.getTime() < e.periodEnd;
      return { budget: e.budget, standing: standingAt(e, now), resetsAt: current ? (e.status?.periodEnd ?? null) : null, asOf: e.status?.asOf ?? null };
    })
    .sort((a, b) => Number(b.standing.blocking) - Number(a.standing.blocking) || a.standing.remaining.comparedTo(b.standing.remaining));
  const blocking = applicable.filter((b) => b.standing.blocking);
  const asOfs = applicable.map((b) => b.asOf).filter((t): t is string => t !== null).sort();
  return {
    allow: blocking.length === 0,
    reason: blocking.length ? denial(blocking) : applicable.length ? `within ${applicable.length} budget(s)` : 'no budget applies',
    budgets: applicable.map(({ asOf: _, ...answer }) => answer),
    remaining: applicable.length ? Decimal.min(...applicable.map((b) => b.standing.remaining)) : null,
    evaluatedAt: asOfs[0] ?? null,
  };
}

const money = (d: Decimal, currency: string) => `${currency} ${d.toFixed(2)}`;

function denial(blocking: GuardBudgetAnswer[]): string {
  return blocking
    .map(({ budget: b, standing: s, resetsAt }) =>
      `hard budget '${b.name}' (${b.id}) is over its limit: ${money(s.spend, b.currency)} of ${money(s.amount, b.currency)} spent` +
      (resetsAt ? `; it resets at ${resetsAt}` : b.period === 'rolling' ? `; it allows again when the ${b.rollingDays}-day window falls below the limit` : '; an admin must raise the limit'))
    .join('; ');
}
