export * from './generate.ts';
export * from './post-events.ts';
export * from './budgets.ts';
