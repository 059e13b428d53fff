// What a queue is: its name, the job names it carries with each one's payload
// (zod), and the options its jobs get by default. The worker runs only those names.
import { type DefaultJobOptions, Queue, type QueueOptions } from 'bullmq';
import { z } from 'zod';
import { type Redis, queuePrefix } from './connection.ts';

export interface QueueDefinition<Jobs extends Record<string, z.ZodType> = Record<string, z.ZodType>> {
  name: string;
  /** Job name -> payload schema. */
  jobs: Jobs;
  defaultJobOptions: DefaultJobOptions;
}

export const defineQueue = <Jobs extends Record<string, z.ZodType>>(def: QueueDefinition<Jobs>) => def;

/** A queue of `def` under the shared prefix; `options` (tests: their own prefix, attempts) win. */
export function openQueue<D = unknown, R = unknown>(def: QueueDefinition, connection: Redis, options: Partial<QueueOptions> = {}): Queue<D, R> {
  return new Queue<D, R>(def.name, { connection, prefix: queuePrefix(), defaultJobOptions: def.defaultJobOptions, ...options });
}

/** The payload of scheduled upkeep: nothing (a scheduler's job carries `{}`, or none at all). */
export const noPayload = z.object({}).nullish();
