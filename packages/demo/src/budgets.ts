// Budgets of the demo workspace: one of each kind users set first. The worker
// evaluates them within a minute of starting; alerts show up in budgetAlerts.
import { type Pool, insertBudget, listBudgets } from '@spendgraph/db';
import { parseBudget } from '@spendgraph/budgets';

const DEMO_BUDGETS = [
  { name: 'Workspace, monthly', wholeWorkspace: true, period: 'monthly', amount: '25000' },
  { name: 'Coder agent, daily hard stop', scope: [{ member: 'agent', values: ['coder'] }], period: 'daily', amount: '400', mode: 'hard' },
  { name: 'Support bot, rolling 7 days', scope: [{ member: 'agent', values: ['support-bot'] }], period: 'rolling', rollingDays: 7, amount: '1500' },
  { name: 'Claude Opus, monthly', scope: [{ member: 'model', values: ['claude-opus-4-1-20250805'] }], period: 'monthly', amount: '8000', thresholds: [80, 100, 200] },
] as const;

/** Creates the demo budgets once (a workspace that has budgets keeps its own). */
export async function ensureDemoBudgets(pool: Pool, workspaceId: string): Promise<number> {
  if ((await listBudgets(pool, workspaceId)).length) return 0;
  for (const input of DEMO_BUDGETS) {
    const parsed = parseBudget(input);
    if (!parsed.ok) throw new Error(`demo budget '${input.name}': ${JSON.stringify(parsed.issues)}`);
    await insertBudget(pool, workspaceId, parsed.fields);
  }
  return DEMO_BUDGETS.length;
}
