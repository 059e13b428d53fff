// Every queue: what status, metrics and the worker's table iterate over.
import type { QueueDefinition } from './define.ts';
import { budgetsQueue } from './queues/budgets.ts';
import { alertsQueue, reportsQueue } from './queues/deliveries.ts';
import { ingestQueue } from './queues/ingest.ts';
import { insightsQueue } from './queues/insights.ts';
import { maintenanceQueue } from './queues/maintenance.ts';

export const QUEUES: readonly QueueDefinition[] = [ingestQueue, maintenanceQueue, budgetsQueue, alertsQueue, reportsQueue, insightsQueue];

/** Every queue's name, for status and metrics. */
export const ALL_QUEUES: readonly string[] = QUEUES.map((q) => q.name);
