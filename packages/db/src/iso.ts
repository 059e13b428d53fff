// The one return convention for instants: an ISO 8601 string in UTC (null stays null).
export function iso(v: Date | string): string;
export function iso(v: Date | string | null): string | null;
export function iso(v: Date | string | null): string | null {
  return v === null ? null : new Date(v).toISOString();
}
