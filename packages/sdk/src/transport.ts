// POST /v1/events with retries: network errors, 429, 503 and other 5xx are retried with
// exponential backoff (the API answers 202 only once the batch is queued, and event ids make a
// retried batch idempotent); a 400 is not retried — it names the events at fault.
import type { UsageEventInput } from '@spendgraph/schema';

export interface TransportOptions {
  /** Base URL of the Spendgraph API, e.g. http://127.0.0.1:4000 */
  baseUrl: string;
  apiKey: string;
  /** Attempts per batch (default 5). */
  attempts?: number;
  /** First retry delay in ms, doubled each attempt (default 250). */
  backoffMs?: number;
  /** Per-request timeout in ms (default 10000). */
  timeoutMs?: number;
}

export class IngestError extends Error {
  readonly status: number | undefined;
  readonly body: unknown;
  constructor(message: string, status?: number, body?: unknown) {
    super(message);
    this.name = 'IngestError';
    this.status = status;
    this.body = body;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends one batch (≤ 10,000 events); resolves with the accepted ids or throws IngestError. */
export async function postEvents(o: TransportOptions, events: UsageEventInput[]): Promise<string[]> {
  const attempts = o.attempts ?? 5;
  const url = `${o.baseUrl.replace(/\/+$/, '')}/v1/events`;
  const body = JSON.stringify(events);
  let last: IngestError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep((o.backoffMs ?? 250) * 2 ** (attempt - 1));
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
    } catch (e: any) {
      last = new IngestError(`cannot reach ${url}: ${e.cause?.message ?? e.message}`);
      continue;
    }
    const answer: any = await res.json().catch(() => undefined);
    if (res.status === 202) return answer?.ids ?? [];
    last = new IngestError(`ingest answered ${res.status}: ${answer?.message ?? res.statusText}`, res.status, answer);
    if (res.status !== 429 && res.status < 500) throw last;
  }
  throw last!;
}
