// Cost-per-task-type profiles from completed tasks.
//
// A completed task's cost is the sum of `usage.total_cost` over its events (every
// event naming its task_id, whenever it happened), read through the semantic layer
// grouped by task; the statistics over those per-task costs are computed here with
// simple-statistics. Quantiles use linear interpolation between order statistics
// (type 7, as numpy and R by default): costs 1, 2, 3, 10 give p25 1.75, median 2.5,
// p90 7.9.
//
// A task's type is the one the tasks table gives (when a pool is passed), else the
// type its events carry (the one carrying most of its cost when they disagree).
// Tasks without a type count only in the all-types profile. Completed tasks with no
// priced spend are not samples: nothing says what they cost. Costs are the model's: every
// currency converted to the workspace's reporting currency (docs/decisions/0023-currencies.md).
import { Decimal } from 'decimal.js';
import { max, mean, median, min, quantileSorted } from 'simple-statistics';
import { type Pool, listTasks } from '@spendgraph/db';
import { type CubeQuery, type SemanticLayer, usageMember } from '@spendgraph/semantic';
import { MAX_ROWS, dec, money, tooManyRows } from './money.ts';

export interface CostProfile {
  /** The task type; null for the all-types profile. */
  taskType: string | null;
  /** Completed tasks sampled. */
  n: number;
  /** Decimal strings (6 places at most). */
  p25: string;
  median: string;
  p90: string;
  mean: string;
  min: string;
  max: string;
  /** Exact sum of the sampled tasks' costs. */
  total: string;
}

export interface TaskTypeProfiles {
  currency: string;
  /** One profile per task type with completed tasks, by type name. */
  types: CostProfile[];
  /** Every completed task, typed or not: the fallback for types without samples. Null when no task was completed. */
  all: CostProfile | null;
}

export interface ProfileOptions {
  /** The workspace's reporting currency, which the model's costs are in (a label; default USD). */
  currency?: string;
  /** Reads task types from the tasks table (authoritative) instead of the events' task_type. */
  pool?: Pool;
}

/** Per-task cost of the completed tasks, with their type. */
export interface CompletedTask {
  taskId: string;
  taskType: string | null;
  cost: Decimal;
}

export async function completedTaskCosts(semantic: SemanticLayer, workspaceId: string, opts: ProfileOptions = {}): Promise<CompletedTask[]> {
  // With the tasks table at hand, which tasks are done is read from it, and the per-task costs of
  // every task from the roll-ups (a filter on the joined task status would read raw events).
  const query: CubeQuery = {
    measures: [usageMember('total_cost')],
    dimensions: [usageMember('task_id'), usageMember('task_type')],
    filters: [
      ...(opts.pool ? [] : [{ member: usageMember('task_status'), operator: 'equals', values: ['done'] }]),
      { member: usageMember('task_id'), operator: 'set' },
    ],
    limit: MAX_ROWS,
  };
  const [{ data: rows }, tableTypes] = await Promise.all([
    semantic.load(query, { workspaceId }),
    opts.pool ? listTasks(opts.pool, workspaceId, { status: ['done'] }).then((ts) => new Map(ts.map((t) => [t.id, t.taskType]))) : undefined,
  ]);
  tooManyRows(rows.length, 'the completed tasks query');
  const data = tableTypes ? rows.filter((r) => tableTypes.has(r[usageMember('task_id')] as string)) : rows;

  const tasks = new Map<string, { cost: Decimal; priced: boolean; byType: Map<string, Decimal> }>();
  for (const row of data) {
    const id = row[usageMember('task_id')] as string;
    const type = row[usageMember('task_type')] as string | null;
    const cost = row[usageMember('total_cost')];
    let t = tasks.get(id);
    if (!t) tasks.set(id, (t = { cost: new Decimal(0), priced: false, byType: new Map() }));
    if (cost !== null && cost !== undefined) {
      t.priced = true;
      t.cost = t.cost.plus(dec(cost));
    }
    if (type !== null) t.byType.set(type, (t.byType.get(type) ?? new Decimal(0)).plus(dec(cost)));
  }
  const result: CompletedTask[] = [];
  for (const [taskId, t] of tasks) {
    if (!t.priced) continue;
    let taskType: string | null = null;
    const fromTable = tableTypes?.get(taskId);
    if (fromTable) taskType = fromTable;
    else {
      for (const [type, cost] of [...t.byType].sort(([a], [b]) => a.localeCompare(b))) {
        if (taskType === null || cost.gt(t.byType.get(taskType)!)) taskType = type;
      }
    }
    result.push({ taskId, taskType, cost: t.cost });
  }
  return result.sort((a, b) => a.taskId.localeCompare(b.taskId));
}

/** The profile of a sample of per-task costs (at least one). */
export function profileOf(taskType: string | null, costs: Decimal[]): CostProfile {
  const xs = costs.map((c) => c.toNumber()).sort((a, b) => a - b);
  return {
    taskType,
    n: xs.length,
    p25: money(quantileSorted(xs, 0.25)),
    median: money(median(xs)),
    p90: money(quantileSorted(xs, 0.9)),
    mean: money(mean(xs)),
    min: money(min(xs)),
    max: money(max(xs)),
    total: costs.reduce((s, c) => s.plus(c), new Decimal(0)).toFixed(),
  };
}

export async function taskTypeProfiles(semantic: SemanticLayer, workspaceId: string, opts: ProfileOptions = {}): Promise<TaskTypeProfiles> {
  return profilesOf(await completedTaskCosts(semantic, workspaceId, opts), opts.currency ?? 'USD');
}

/** Completed tasks' costs by type (untyped ones left out). */
export function costsByType(tasks: CompletedTask[]): Map<string, Decimal[]> {
  const byType = new Map<string, Decimal[]>();
  for (const t of tasks) {
    if (t.taskType === null) continue;
    let costs = byType.get(t.taskType);
    if (!costs) byType.set(t.taskType, (costs = []));
    costs.push(t.cost);
  }
  return byType;
}

export function profilesOf(tasks: CompletedTask[], currency: string): TaskTypeProfiles {
  return {
    currency,
    types: [...costsByType(tasks)].sort(([a], [b]) => a.localeCompare(b)).map(([type, costs]) => profileOf(type, costs)),
    all: tasks.length ? profileOf(null, tasks.map((t) => t.cost)) : null,
  };
}
