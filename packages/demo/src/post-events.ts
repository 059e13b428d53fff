import type { UsageEventInput } from '@spendgraph/schema';

/** POSTs one batch; retries while the API is unavailable (503 / network), which is safe because events carry ids. */
export async function postEvents(apiUrl: string, apiKey: string, events: UsageEventInput[], attempts = 20): Promise<number> {
  const body = JSON.stringify(events);
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${apiUrl}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body,
      });
      if (res.status === 202) return ((await res.json()) as { accepted: number }).accepted;
      if (res.status !== 503 || attempt >= attempts) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    } catch (err) {
      if (attempt >= attempts || !(err instanceof TypeError)) throw err;
    }
    await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** attempt)));
  }
}

/** Sends a stream of events in batches, `concurrency` requests at a time. */
export async function postAll(
  apiUrl: string,
  apiKey: string,
  events: Iterable<UsageEventInput>,
  { batchSize = 5_000, concurrency = 4, onBatch = (_n: number) => {} } = {},
): Promise<number> {
  const it = events[Symbol.iterator]();
  let sent = 0;
  const nextBatch = () => {
    const batch: UsageEventInput[] = [];
    for (let x = it.next(); !x.done; x = it.next()) if (batch.push(x.value) >= batchSize) break;
    return batch;
  };
  const lane = async () => {
    for (let batch = nextBatch(); batch.length; batch = nextBatch()) {
      // Not `sent += await ...`: that reads `sent` before awaiting and loses the other lanes' counts.
      const accepted = await postEvents(apiUrl, apiKey, batch);
      sent += accepted;
      onBatch(sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return sent;
}
