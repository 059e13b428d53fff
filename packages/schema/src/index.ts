export * from './vocabulary.ts';
export * from './usage-event.ts';
export * from './usage-conventions.ts';
export * from './ingest-event.ts';
export * from './event-batch.ts';
export * from './work-entities.ts';
export * from './provider-usage.ts';
export * from './work-item-allocation.ts';
