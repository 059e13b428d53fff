// The overview's period and the one before it, as whole UTC days (the API's `to` is inclusive).
export const PERIOD_DAYS = [7, 30, 90];

const day = (d: Date) => d.toISOString().slice(0, 10);
const minus = (d: Date, days: number) => new Date(d.getTime() - days * 86_400_000);

export function periods(days: number, now = new Date()) {
  return {
    current: { from: day(minus(now, days - 1)), to: day(now) },
    previous: { from: day(minus(now, 2 * days - 1)), to: day(minus(now, days)) },
  };
}
