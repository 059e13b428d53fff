// The per-entity pages: a URL segment, the dimension it lists, its titles, and what its page breaks down by.
export interface Axis {
  dimension: string;
  title: string;
  one: string;
  /** Breakdowns on an entity's page: a dimension, its title, and the axis page its values link to. */
  breakdowns: Array<{ by: string; title: string; link?: string }>;
  /** Its cost measure: a call for several work items costs each its share (work_item_total_cost); calls stay whole. */
  cost?: string;
  /** A session's page lists every call in order (the view opened from a morning report) instead of a daily trend. */
  timeline?: boolean;
}

const PLANS = { by: 'plan_id', title: 'Top plans', link: 'plans' };
const SESSIONS = { by: 'session_id', title: 'Top sessions', link: 'sessions' };
const MODELS = { by: 'model', title: 'Most-used models', link: 'models' };
const USERS = { by: 'user_id', title: 'Top users', link: 'users' };

export const AXES: Record<string, Axis> = {
  customers: { dimension: 'customer_id', title: 'Customers', one: 'Customer', breakdowns: [MODELS, { by: 'feature', title: 'Top features', link: 'features' }] },
  features: { dimension: 'feature', title: 'Features', one: 'Feature', breakdowns: [MODELS, { by: 'customer_id', title: 'Top customers', link: 'customers' }] },
  users: { dimension: 'user_id', title: 'Users', one: 'User', breakdowns: [MODELS, { by: 'agent', title: 'Top agents', link: 'agents' }, PLANS, SESSIONS] },
  models: { dimension: 'model', title: 'Models', one: 'Model', breakdowns: [USERS, { by: 'agent', title: 'Top agents', link: 'agents' }, { by: 'feature', title: 'Top features', link: 'features' }, PLANS] },
  agents: { dimension: 'agent', title: 'Agents', one: 'Agent', breakdowns: [MODELS, USERS, PLANS, SESSIONS] },
  sessions: { dimension: 'session_id', title: 'Sessions', one: 'Session', breakdowns: [MODELS, { by: 'agent', title: 'Agents', link: 'agents' }], timeline: true },
  'work-items': {
    dimension: 'work_item', title: 'Work items', one: 'Work item', cost: 'work_item_total_cost',
    // No repository breakdown: a work item has one repository (shown with its title), so the table
    // would repeat the totals, and it read raw events (repositories can change: in no roll-up).
    breakdowns: [SESSIONS, USERS],
  },
};

export const costMeasure = (a: Axis) => a.cost ?? 'total_cost';

/** The page of one value of an axis (plans have their own route). */
export const axisHref = (seg: string, value: string) => `/${seg}/${encodeURIComponent(value)}`;
