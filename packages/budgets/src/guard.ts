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
  /** When the evaluated period ends (Infinity for rolling and lifetime windows). */
  periodEnd: number;
  asOf: string | null;
  /** The answer while the evaluated period lasts. */
  answer: GuardBudgetAnswer;
  /** The answer once it has ended (nothing spent in the new period yet), computed on first need. */
  afterPeriod?: GuardBudgetAnswer;
  status: BudgetStatus | undefined;
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
    const entry: Entry = {
      budget, status, periodEnd: status?.periodEnd ? Date.parse(status.periodEnd) : Infinity, asOf: status?.asOf ?? null,
      answer: { budget, standing: standingFor(budget, status, !!status), resetsAt: status?.periodEnd ?? null },
    };
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

function answerAt(e: Entry, now: Date): GuardBudgetAnswer {
  if (now.getTime() < e.periodEnd) return e.answer;
  return (e.afterPeriod ??= { budget: e.budget, standing: standingFor(e.budget, e.status, false), resetsAt: null });
}

/** Blocking budgets first, then the least remaining: the binding constraint leads. */
function byUrgency(a: GuardBudgetAnswer, b: GuardBudgetAnswer) {
  return Number(b.standing.blocking) - Number(a.standing.blocking) || a.standing.remaining.comparedTo(b.standing.remaining);
}

export function decide(index: GuardIndex, context: ReadonlyMap<string, string>, now: Date): GuardDecision {
  const applicable = [...candidates(index, context)].filter((e) => appliesTo(e.budget, context));
  const budgets = applicable.map((e) => answerAt(e, now)).sort(byUrgency);
  const blocking = budgets.filter((b) => b.standing.blocking);
  const asOfs = applicable.map((e) => e.asOf).filter((t): t is string => t !== null).sort();
  return {
    allow: blocking.length === 0,
    reason: blocking.length ? denial(blocking) : budgets.length ? `within ${budgets.length} budget(s)` : 'no budget applies',
    budgets,
    remaining: budgets[0]?.standing.remaining ?? null, // a blocking budget has none left; otherwise the first is the least
    evaluatedAt: asOfs[0] ?? null,
  };
}

/** An amount in the budget's unit: money, or a plan limit's tokens or calls. */
const inUnit = (d: Decimal, b: Pick<Budget, 'unit' | 'currency'>) => (b.unit === 'cost' ? `${b.currency} ${d.toFixed(2)}` : `${d.toFixed()} ${b.unit}`);

/** Names the blocking budgets (the first three, and how many more). */
function denial(blocking: GuardBudgetAnswer[]): string {
  const named = blocking.slice(0, 3).map(({ budget: b, standing: s, resetsAt }) =>
    `hard budget '${b.name}' (${b.id}) is over its limit: ${inUnit(s.spend, b)} of ${inUnit(s.amount, b)} ${b.unit === 'cost' ? 'spent' : 'used'}` +
    (resetsAt ? `; it resets at ${resetsAt}` : b.period === 'rolling' ? `; it allows again when the ${b.rollingHours ? `${b.rollingHours}-hour` : `${b.rollingDays}-day`} window falls below the limit` : '; an admin must raise the limit'));
  return named.join('; ') + (blocking.length > 3 ? `; and ${blocking.length - 3} more hard budget(s) over their limit` : '');
}
