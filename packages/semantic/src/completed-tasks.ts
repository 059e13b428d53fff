// Task measures (tasks.completed_tasks: distinct done tasks among the events' tasks) from the
// roll-ups, exactly. A distinct count over the usage_events → tasks join is not additive, so Cube
// reads raw events for any query naming it (or a measure built on it, such as
// cost_per_completed_task). But the events' part of it is: the distinct (group, task) pairs and
// their sums and counts are a roll-up query (daily_by_work holds task_id), sealed days from the
// roll-up and dirty days from raw events like any other. One statement then joins those pairs to
// the tasks table as it is now, so a status change shows at once, and evaluates the measures from
// the model's own definitions (cube/model): the task measure's SQL and filters on the joined task,
// sums of the pairs' sums and counts, and a derived measure's SQL over those. Where the pairs are
// not a roll-up query (a filter on task_status, a non-additive measure beside, a fresh read) the
// query is planned as it is. docs/decisions/0030-completed-tasks.md.
import { filtersName } from './filter-members.ts';
import type { CompiledModel } from './model.ts';
import type { Plan } from './planning.ts';

const EVENTS = 'usage_events';
const TASKS = 'tasks';
/** The events' columns the tasks join names, which the view exposes as dimensions of the same name. */
const JOIN_COLUMNS = ['workspace_id', 'task_id'] as const;

type Evaluator = {
  cubeFromPath(path: string): any;
  funcArguments(fn: (...args: any[]) => string): string[];
};

const evaluatorOf = (model: CompiledModel): Evaluator => (model.compilers as any).cubeEvaluator;
const quote = (alias: string) => `"${alias.replace(/"/g, '""')}"`;

interface Rewrite {
  /** The pairs query: the query's dimensions plus the join columns, with the additive measures it needs. */
  pairs: any;
  /** Builds the one statement from the pairs' plan. */
  build(pairs: Plan): Plan | undefined;
}

/** A query's task measures as a roll-up query of (group, task) pairs joined to tasks, or undefined where that does not apply. */
export function completedTasksRewrite(model: CompiledModel, normalized: any): Rewrite | undefined {
  const measures: string[] = normalized.measures ?? [];
  if (!measures.length || normalized.ungrouped || normalized.total) return undefined;
  const ev = evaluatorOf(model);
  const view = measures[0]!.split('.')[0]!;
  const viewCube = ev.cubeFromPath(view);
  const origin = (member: string): string | undefined => {
    const [v, name] = member.split('.');
    return v === view ? (viewCube.measures?.[name!]?.aliasMember ?? viewCube.dimensions?.[name!]?.aliasMember) : undefined;
  };
  // The view's member for an events' measure, and the tasks measures by name.
  const viewMeasureOf = new Map(Object.entries(viewCube.measures ?? {}).map(([name, d]: [string, any]) => [d.aliasMember, `${view}.${name}`]));
  const eventsCube = ev.cubeFromPath(EVENTS);
  const tasksCube = ev.cubeFromPath(TASKS);
  // Only distinct counts of tasks are exact over the pairs (a sum over the join would need their multiplicity).
  if (Object.values(tasksCube.measures ?? {}).some((d: any) => d.type !== 'countDistinct')) return undefined;
  const additive = (name: string) => ['sum', 'count'].includes(eventsCube.measures?.[name]?.type) && viewMeasureOf.has(`${EVENTS}.${name}`);

  let namesTasks = false;
  const needed = new Set<string>(); // view members of the additive measures the pairs carry
  for (const member of measures) {
    const [cube, name] = (origin(member) ?? '').split('.');
    if (cube === TASKS) namesTasks = true;
    else if (cube === EVENTS && additive(name!)) needed.add(member);
    else if (cube === EVENTS && eventsCube.measures?.[name!]?.type === 'number') {
      const args = ev.funcArguments(eventsCube.measures[name!].sql);
      if (!args.every((a) => a === TASKS || additive(a))) return undefined;
      namesTasks ||= args.includes(TASKS);
      for (const a of args) if (a !== TASKS) needed.add(viewMeasureOf.get(`${EVENTS}.${a}`)!);
    } else return undefined;
  }
  // Only task measures make a query read raw events this way; a filter on a measure keeps it as it is.
  if (!namesTasks || filtersName(normalized.filters ?? [], (m) => measures.includes(m))) return undefined;
  const joinDims = JOIN_COLUMNS.map((c) => `${view}.${c}`);
  const pairs = {
    ...structuredClone(normalized),
    measures: [...needed],
    dimensions: [...new Set([...(normalized.dimensions ?? []), ...joinDims])],
    order: [],
    limit: null,
    rowLimit: null,
    offset: null,
  };
  return { pairs, build: (p) => statement(ev, normalized, view, joinDims, p) };
}

/** The outer statement over the pairs' plan (its roll-up references and parameters unchanged). */
function statement(ev: Evaluator, normalized: any, view: string, joinDims: string[], pairs: Plan): Plan | undefined {
  const aliasOf = new Map(Object.entries(pairs.aliasNameToMember).map(([alias, member]) => [member, alias]));
  const eventsCube = ev.cubeFromPath(EVENTS);
  const tasksCube = ev.cubeFromPath(TASKS);
  const viewCube = ev.cubeFromPath(view);
  const T = quote('tasks');
  const taskExpr = (name: string) => {
    const d = tasksCube.measures[name];
    const conditions = (d.filters ?? []).map((f: any) => `(${f.sql(T)})`);
    return `count(distinct ${conditions.length ? `CASE WHEN ${conditions.join(' AND ')} THEN ${d.sql(T)} END` : d.sql(T)})`;
  };
  const tasksProxy = Object.fromEntries(Object.keys(tasksCube.measures ?? {}).map((name) => [name, taskExpr(name)]));
  const sumOf = (viewMember: string) => `sum(p.${quote(aliasOf.get(viewMember)!)})`;
  const viewMemberOf = (eventsName: string) =>
    `${view}.${Object.entries(viewCube.measures).find(([, d]: [string, any]) => d.aliasMember === `${EVENTS}.${eventsName}`)![0]}`;

  const outAliases: Record<string, string> = {};
  const columns: string[] = [];
  // Grouping: every column of the pairs but their measures and the join columns the query did not ask for.
  const asked = new Set<string>(normalized.dimensions ?? []);
  const groups = Object.entries(pairs.aliasNameToMember).filter(([, member]) => !isMeasure(viewCube, member) && (asked.has(member) || !joinDims.includes(member)));
  for (const [alias, member] of groups) {
    columns.push(`p.${quote(alias)} ${quote(alias)}`);
    outAliases[alias] = member;
  }
  for (const member of normalized.measures as string[]) {
    const name = member.split('.')[1]!;
    const [cube, own] = viewCube.measures[name].aliasMember.split('.');
    let expr: string;
    if (cube === TASKS) expr = taskExpr(own);
    else if (eventsCube.measures[own].type === 'number') {
      const fn = eventsCube.measures[own].sql;
      expr = fn(...ev.funcArguments(fn).map((a: string) => (a === TASKS ? tasksProxy : sumOf(viewMemberOf(a)))));
    } else expr = sumOf(member);
    const alias = aliasOf.get(member) ?? member.replace('.', '__');
    columns.push(`${expr} ${quote(alias)}`);
    outAliases[alias] = member;
  }
  const position = new Map(Object.values(outAliases).map((m, i) => [m, i + 1]));
  const orderBy: string[] = [];
  for (const o of orderOf(normalized)) {
    const at = position.get(o.id) ?? position.get(timeMember(normalized, o.id) ?? '');
    if (!at) return undefined;
    orderBy.push(`${at} ${o.desc ? 'DESC' : 'ASC'}`);
  }
  const [ws, task] = joinDims.map((d) => quote(aliasOf.get(d)!));
  const joinSql = eventsCube.joins.find((j: any) => j.name === TASKS).sql(quote('p'), T);
  const sql =
    `SELECT ${columns.join(', ')} FROM (SELECT q.*, q.${ws} AS workspace_id, q.${task} AS task_id FROM (${pairs.sql[0]}) AS q) AS "p"` +
    ` LEFT JOIN ${tasksCube.sqlTable()} AS ${T} ON ${joinSql}` +
    (groups.length ? ` GROUP BY ${groups.map((_, i) => i + 1).join(', ')}` : '') +
    (orderBy.length ? ` ORDER BY ${orderBy.join(', ')}` : '') +
    (normalized.rowLimit != null ? ` LIMIT ${Number(normalized.rowLimit)}` : '') +
    (normalized.offset ? ` OFFSET ${Number(normalized.offset)}` : '');
  return { ...pairs, sql: [sql, pairs.sql[1]], aliasNameToMember: outAliases };
}

function isMeasure(viewCube: any, member: string): boolean {
  return Boolean(viewCube.measures?.[member.split('.')[1]!]) && member.split('.').length === 2;
}

/** The member a time dimension's rows are given under (`usage.occurred_at.day`) for an order on `usage.occurred_at`. */
function timeMember(normalized: any, id: string): string | undefined {
  const td = (normalized.timeDimensions ?? []).find((t: any) => t.dimension === id && t.granularity);
  return td && `${id}.${td.granularity}`;
}

/** The query's order, or Cube's default (BaseQuery.defaultOrder) for it. */
function orderOf(normalized: any): Array<{ id: string; desc: boolean }> {
  if (Array.isArray(normalized.order) && normalized.order.length) {
    return normalized.order.map((o: any) => (Array.isArray(o) ? { id: o[0], desc: o[1] === 'desc' } : { id: o.id, desc: Boolean(o.desc) }));
  }
  const td = (normalized.timeDimensions ?? []).find((t: any) => t.granularity);
  if (td) return [{ id: td.dimension, desc: false }];
  const dims: string[] = normalized.dimensions ?? [];
  if (normalized.measures?.length && dims.length) return [{ id: normalized.measures[0], desc: true }];
  return dims.length ? [{ id: dims[0]!, desc: false }] : [];
}
