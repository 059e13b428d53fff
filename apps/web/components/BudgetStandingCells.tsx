// A budget's standing as table cells (state, spend of amount, percent used): the overview's and the organization page's lists of budgets at risk.
import { formatMoney } from '@/lib/format';

export function BudgetStandingCells({ b }: { b: { state: string; blocking: boolean; spend: string; amount: string; percentUsed: number } }) {
  return (
    <>
      <td><span className={`badge ${b.state}`}>{b.blocking ? 'blocking' : b.state}</span></td>
      <td className="num">{formatMoney(b.spend)} / {formatMoney(b.amount)}</td><td className="num">{b.percentUsed.toFixed(1)}%</td>
    </>
  );
}
