// Budgets and their latest status per workspace, in memory, so a guard check
// never waits on the database: loaded on a workspace's first check, reloaded
// when the worker announces a new evaluation (Redis pub/sub) and in the
// background once older than maxAgeMs (in case an announcement was missed).
import { type Pool, budgetStatuses, listBudgets } from '@spendgraph/db';
import { type GuardIndex, buildGuardIndex } from '@spendgraph/budgets';
import { type Redis, budgetsChangedChannel } from '@spendgraph/queue';

interface Entry {
  index: GuardIndex;
  loadedAt: number;
  reloading?: Promise<void>;
}

export class GuardCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pool: Pool;
  private readonly maxAgeMs: number;

  constructor(pool: Pool, maxAgeMs = 15_000) {
    this.pool = pool;
    this.maxAgeMs = maxAgeMs;
  }

  async indexOf(workspaceId: string): Promise<GuardIndex> {
    const entry = this.entries.get(workspaceId);
    if (!entry) {
      await this.reload(workspaceId);
      return this.entries.get(workspaceId)!.index;
    }
    if (Date.now() - entry.loadedAt > this.maxAgeMs) void this.reload(workspaceId).catch(() => {}); // answer now, refresh behind
    return entry.index;
  }

  /** Loads the workspace's budgets again; concurrent calls share one load. */
  reload(workspaceId: string): Promise<void> {
    const entry = this.entries.get(workspaceId);
    if (entry?.reloading) return entry.reloading;
    const reloading = this.load(workspaceId).finally(() => {
      const e = this.entries.get(workspaceId);
      if (e?.reloading === reloading) delete e.reloading;
    });
    if (entry) entry.reloading = reloading;
    return reloading;
  }

  /** Follows the worker's announcements; only workspaces already cached are reloaded. */
  async follow(subscriber: Redis): Promise<void> {
    subscriber.on('message', (_channel, workspaceId: string) => {
      if (this.entries.has(workspaceId)) void this.reload(workspaceId).catch(() => {});
    });
    await subscriber.subscribe(budgetsChangedChannel());
  }

  private async load(workspaceId: string): Promise<void> {
    const [budgets, statuses] = await Promise.all([listBudgets(this.pool, workspaceId), budgetStatuses(this.pool, workspaceId)]);
    const byBudget = new Map(statuses.map((s) => [s.budgetId, s]));
    const previous = this.entries.get(workspaceId);
    this.entries.set(workspaceId, {
      index: buildGuardIndex(budgets.map((budget) => ({ budget, status: byBudget.get(budget.id) }))),
      loadedAt: Date.now(),
      ...(previous?.reloading ? { reloading: previous.reloading } : {}),
    });
  }
}
