export * from './transport.ts';
export * from './client.ts';
export * from './wrappers.ts';
export * from './queries.ts';
