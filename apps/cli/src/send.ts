// Sends collected calls as event batches; each call's key is recorded once its batch is accepted,
// so an interrupted run resumes without sending anything twice.
import { type Call, type CollectState, type Origin, callEvent } from '@spendgraph/collectors';
import type { UsageEventInput } from '@spendgraph/schema';
import { type TransportOptions, postEvents } from '@spendgraph/sdk';

const BATCH_EVENTS = 5000;

export async function sendCalls(calls: Call[], state: CollectState, transport: TransportOptions, origin?: Origin): Promise<number> {
  let sent = 0;
  let events: UsageEventInput[] = [];
  let keys: string[] = [];
  const flush = async () => {
    if (events.length === 0) return;
    await postEvents(transport, events);
    await state.markSent(keys);
    sent += events.length;
    events = [];
    keys = [];
  };
  for (const call of calls) {
    if (events.length === BATCH_EVENTS) await flush();
    events.push(callEvent(call, origin));
    keys.push(call.key);
  }
  await flush();
  return sent;
}
