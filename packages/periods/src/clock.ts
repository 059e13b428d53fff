// The one source of "now" for business time: periods, budget windows, reports, anomaly windows.
// Production reads the real time. A process started with SPENDGRAPH_NOW=<ISO instant> sees that
// instant, frozen, so tests can run the API and worker at the start or end of a day, a month,
// a year or across a DST change whatever the wall clock says. Timeouts, TTLs and latencies keep
// using the real time: they are not about which period an event belongs to.

export const FIXED_NOW_ENV = 'SPENDGRAPH_NOW';

function fixedNow(value: string | undefined): number | null {
  if (!value) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/(Z|[+-]\d\d:?\d\d)$/.test(value)) {
    throw new Error(`${FIXED_NOW_ENV}='${value}' is not an ISO instant with an offset (e.g. 2026-03-08T06:30:00Z)`);
  }
  return t;
}

// `globalThis.process`: the SDK (through the event schema) may run where there is no process.
let fixed = fixedNow(globalThis.process?.env?.[FIXED_NOW_ENV]);

/** The current instant: the real time, or the fixed one this process was started with. */
export function now(): Date {
  return new Date(fixed ?? Date.now());
}

/** Fixes the clock of this process (null: the real time again); for in-process tests. */
export function setNow(at: Date | string | null): void {
  fixed = at === null ? null : fixedNow(typeof at === 'string' ? at : at.toISOString());
}
