export * from './generate.ts';
export * from './post-events.ts';
export * from './budgets.ts';
export * from './work.ts';
export * from './bills.ts';
export * from './economics.ts';
