// The queues between the API (producer) and the worker (consumer): re-exports only.
export * from './connection.ts';
export * from './define.ts';
export * from './queues/ingest.ts';
export * from './queues/maintenance.ts';
export * from './queues/budgets.ts';
export * from './queues/deliveries.ts';
export * from './queues/insights.ts';
export * from './registry.ts';
export * from './status.ts';
export * from './metrics.ts';
