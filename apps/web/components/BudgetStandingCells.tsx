// A budget's standing as table cells (state, spend of amount, percent used): the overview's and the organization page's lists of budgets at risk.
import { formatBudgetAmount } from '@/lib/budgets';
import type { BudgetUnit } from '@/lib/graphql/schema';

export function BudgetStandingCells({ b }: { b: { state: string; blocking: boolean; spend: string; amount: string; unit?: BudgetUnit | null; percentUsed: number } }) {
  return (
    <>
      <td><span className={`badge ${b.state}`}>{b.blocking ? 'blocking' : b.state}</span></td>
      <td className="num">{formatBudgetAmount(b, b.spend)} / {formatBudgetAmount(b, b.amount)}</td><td className="num">{b.percentUsed.toFixed(1)}%</td>
    </>
  );
}
