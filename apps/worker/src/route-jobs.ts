// One BullMQ processor per queue that runs each job by its name (BullMQ's idiom:
// one processor per queue, explicit job names). A name the queue does not carry, or
// a payload that does not fit its schema, fails the job at once: retrying cannot help.
import { type Job, UnrecoverableError } from 'bullmq';
import type { QueueDefinition } from '@spendgraph/queue';

export type JobProcessor = (job: Job) => Promise<unknown>;

/** A processor for every job name of `Q`. */
export type JobProcessors<Q extends QueueDefinition> = { [K in keyof Q['jobs']]: JobProcessor };

export function routeJobs<Q extends QueueDefinition>(queue: Q, processors: JobProcessors<Q>): JobProcessor {
  const byName = new Map<string, JobProcessor>(Object.entries(processors));
  return async (job) => {
    const schema = Object.hasOwn(queue.jobs, job.name) ? queue.jobs[job.name] : undefined;
    const run = byName.get(job.name);
    if (!schema || !run) throw new UnrecoverableError(`unknown job "${job.name}" on queue "${queue.name}"`);
    const payload = schema.safeParse(job.data);
    if (!payload.success) {
      const problems = payload.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
      throw new UnrecoverableError(`invalid "${job.name}" job on queue "${queue.name}": ${problems}`);
    }
    return run(job);
  };
}
