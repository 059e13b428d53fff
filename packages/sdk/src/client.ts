// The Spendgraph client: record() queues an event and returns at once; batches go to the ingest
// API in the background (every flushIntervalMs, or as soon as maxBatch events wait), with retries.
// It never throws into the caller's path: failures go to onError, and the queue is bounded
// (the oldest events are dropped first, and reported) so an unreachable API cannot grow memory.
import { randomUUID } from 'node:crypto';
import type { UsageEventInput } from '@spendgraph/schema';
import { type TransportOptions, postEvents } from './transport.ts';
import { breakdown, guardCheck, timeseries } from './queries.ts';

export interface ClientOptions extends TransportOptions {
  /** Default 1000 ms. */
  flushIntervalMs?: number;
  /** Events per request (default 500, at most 10,000). */
  maxBatch?: number;
  /** Events kept while the API cannot be reached (default 10,000). */
  maxQueue?: number;
  /** Context and tags added to every event (an event's own values win). */
  defaults?: Partial<UsageEventInput>;
  onError?: (error: Error, droppedEvents: number) => void;
}

export class Spendgraph {
  private readonly options: ClientOptions;
  private queue: UsageEventInput[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(options: ClientOptions) {
    this.options = options;
  }

  /** Queues one event (an id is given when it has none, so a retried batch is stored once). */
  record(event: UsageEventInput): void {
    try {
      const d = this.options.defaults;
      this.queue.push({ ...d, ...event, id: event.id ?? randomUUID(), tags: { ...d?.tags, ...event.tags } });
      const over = this.queue.length - (this.options.maxQueue ?? 10_000);
      if (over > 0) {
        this.queue.splice(0, over);
        this.options.onError?.(new Error(`the Spendgraph queue is full; ${over} oldest events dropped`), over);
      }
      if (this.queue.length >= (this.options.maxBatch ?? 500)) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.options.flushIntervalMs ?? 1000).unref();
    } catch (e) {
      this.options.onError?.(e as Error, 1);
    }
  }

  /** Sends what is queued; resolves when it is sent or given up on (never rejects). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight = this.inFlight.then(() => this.sendQueued());
    return this.inFlight;
  }

  /** Typed reads with this client's API and key (which then needs the read scope too): see queries.ts. */
  breakdown(v: Parameters<typeof breakdown>[1]) {
    return breakdown(this.options, v);
  }

  timeseries(v: Parameters<typeof timeseries>[1]) {
    return timeseries(this.options, v);
  }

  guardCheck(context: Parameters<typeof guardCheck>[1], limit?: number) {
    return guardCheck(this.options, context, limit);
  }

  /** Flushes; call before the process exits. */
  close(): Promise<void> {
    return this.flush();
  }

  private async sendQueued() {
    const max = Math.min(this.options.maxBatch ?? 500, 10_000);
    while (this.queue.length) {
      const batch = this.queue.splice(0, max);
      try {
        await postEvents(this.options, batch);
      } catch (e) {
        this.options.onError?.(e as Error, batch.length);
      }
    }
  }
}
