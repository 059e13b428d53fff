export * from './generate.ts';
export * from './post-events.ts';
