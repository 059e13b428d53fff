// Budgets and their latest status per workspace, in memory, so a guard check
// never waits on the database: loaded on a workspace's first check, updated with
// the statuses the worker sends after each evaluation (Redis pub/sub: a hard stop
// needs no read back), reloaded when budgets change and in the background once
// older than maxAgeMs (in case an announcement was missed).
import { type Budget, type BudgetStatus, type Pool, coveringBudgets, statusesOf } from '@spendgraph/db';
import { type GuardIndex, buildGuardIndex } from '@spendgraph/budgets';
import { type BudgetStatusesMessage, type Redis, budgetStatusesMessage, budgetsChangedChannel } from '@spendgraph/queue';

interface Entry {
  budgets: Budget[];
  statuses: Map<string, BudgetStatus>;
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

  /** Follows the worker's announcements; only workspaces already cached are updated. */
  async follow(subscriber: Redis): Promise<void> {
    subscriber.on('message', (_channel, message: string) => {
      const statuses = message.startsWith('{') ? statusesIn(message) : undefined;
      const workspaceId = statuses?.workspaceId ?? message;
      if (!this.entries.has(workspaceId)) return;
      if (!statuses || !this.apply(statuses)) void this.reload(workspaceId).catch(() => {});
    });
    await subscriber.subscribe(budgetsChangedChannel());
  }

  /** Puts an evaluation's statuses in the index; false when it names a budget not loaded here (reload instead). */
  private apply({ workspaceId, statuses }: BudgetStatusesMessage): boolean {
    const entry = this.entries.get(workspaceId)!;
    const known = new Set(entry.budgets.map((b) => b.id));
    if (!statuses.every((s) => known.has(s.budgetId))) return false;
    for (const s of statuses) newer(entry.statuses, s);
    entry.index = index(entry.budgets, entry.statuses);
    return true;
  }

  private async load(workspaceId: string): Promise<void> {
    // Its own budgets and the organization's covering it: a hard organization budget stops work here too.
    const budgets = await coveringBudgets(this.pool, workspaceId);
    const list = await statusesOf(this.pool, budgets.map((b) => b.id));
    const statuses = new Map(list.map((s) => [s.budgetId, s]));
    const previous = this.entries.get(workspaceId);
    for (const s of previous?.statuses.values() ?? []) newer(statuses, s); // one sent while this load read older rows
    this.entries.set(workspaceId, {
      budgets, statuses, index: index(budgets, statuses), loadedAt: Date.now(),
      ...(previous?.reloading ? { reloading: previous.reloading } : {}),
    });
  }
}

/** An evaluation's statuses, or undefined for a message that is not one (nothing to apply). */
function statusesIn(message: string): BudgetStatusesMessage | undefined {
  try {
    const parsed = budgetStatusesMessage.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the status of the later evaluation: never an older one over a newer. */
function newer(statuses: Map<string, BudgetStatus>, s: BudgetStatus) {
  const before = statuses.get(s.budgetId);
  if (!before || Date.parse(before.asOf) <= Date.parse(s.asOf)) statuses.set(s.budgetId, s);
}

const index = (budgets: Budget[], statuses: Map<string, BudgetStatus>) =>
  buildGuardIndex(budgets.map((budget) => ({ budget, status: statuses.get(budget.id) })));
