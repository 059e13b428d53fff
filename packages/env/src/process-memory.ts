// What an app process does once it has started. Loading its modules leaves garbage behind and grows
// V8's young generation to its maximum (almost everything allocated while modules load survives, so
// V8 sizes the young generation up); until a full collection runs, both stay resident. An idle
// process never allocates enough to trigger one, so without this its RSS stays at the start's peak
// (ADR 0031).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * One full, memory-reducing collection (V8's last-resort flavour: it also shrinks the young
 * generation and hands freed pages back to the system), run once when the app is ready. It pauses
 * the process for a few tens of milliseconds; the young generation grows again under load, as it
 * did at start. `gc` is borrowed from a throwaway context, so no global `gc` is left in the app.
 */
export function releaseStartupMemory(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as Gc;
  setFlagsFromString('--no-expose-gc'); // V8's flags as they were: the code cache stays valid for what loads later
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
