export * from './pool.ts';
export * from './migrate.ts';
export * from './workspaces.ts';
export * from './usage-events.ts';
export * from './price-overrides.ts';
export * from './budgets.ts';
export * from './work-entities.ts';
export * from './insights.ts';
