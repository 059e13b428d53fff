import Link from 'next/link';
import { gql } from '@/lib/api';
import { formatBudgetAmount } from '@/lib/budgets';
import { BudgetsInScopeDocument } from '@/lib/graphql/operations';

/**
 * The budgets that apply to work in this context (the API's guard check: the whole workspace's and
 * those scoped on these dimensions), most urgent first. Asked on its own: reading budgets needs a scope
 * a read-only key may lack, and the rest of the page does not depend on it.
 */
export async function BudgetsInScope({ context }: { context: Array<{ dimension: string; value: string }> }) {
  const res = await gql(BudgetsInScopeDocument, { context });
  return (
    <section className="panel scroll" aria-labelledby="budgets-in-scope-h" data-testid="budgets-in-scope">
      <h3 id="budgets-in-scope-h">Budgets in scope</h3>
      {!res.ok ? <p className="muted">Budgets are not available: {res.errors.map((e) => e.message).join('; ')}</p>
        : res.data.guardCheck.budgets.length === 0 ? <p className="empty">No budget applies.</p> : (
          <table>
            <thead><tr><th scope="col">Budget</th><th scope="col">Period</th><th className="num" scope="col">Spend</th><th className="num" scope="col">Amount</th><th className="num" scope="col">Used</th></tr></thead>
            <tbody>{res.data.guardCheck.budgets.map((b) => (
              <tr key={b.id} data-budget-id={b.id}><td><Link href="/budgets">{b.name}</Link> {b.blocking && <span className="badge over">blocking</span>}</td><td>{b.period} ({b.mode})</td>
                <td className="num" data-value={b.spend}>{formatBudgetAmount(b, b.spend)}</td><td className="num" data-value={b.amount}>{formatBudgetAmount(b, b.amount)}</td>
                <td className="num">{b.percentUsed.toFixed(1)}%</td></tr>
            ))}</tbody>
          </table>
        )}
    </section>
  );
}
