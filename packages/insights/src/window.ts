// Calendar windows anomalies are detected in: the day (or ISO week) of a moment, in a time zone.
import { DateTime } from 'luxon';
import { cubeTime } from '@spendgraph/periods';
import type { DetectionWindow } from './settings.ts';

export interface Window {
  start: DateTime;
  /** Exclusive. */
  end: DateTime;
}

export function windowAt(w: DetectionWindow, at: Date): Window {
  const start = DateTime.fromJSDate(at, { zone: w.timezone }).startOf(w.period);
  return { start, end: start.plus({ [w.period]: 1 }) };
}

/** The window containing `at` and the one before it (whose last hours may have come in since). */
export function windowsToScan(w: DetectionWindow, at: Date): Window[] {
  const current = windowAt(w, at);
  return [windowAt(w, current.start.minus({ milliseconds: 1 }).toJSDate()), current];
}

/** Cube's date range for a window: local times in the query's zone, both ends inclusive. */
export function cubeRange(w: Window): [string, string] {
  return [cubeTime(w.start), cubeTime(w.end.minus({ milliseconds: 1 }))];
}

/** Every window overlapping [from, to). */
export function windowsBetween(w: DetectionWindow, from: Date, to: Date): Window[] {
  const out: Window[] = [];
  const end = DateTime.fromJSDate(to);
  for (let cur = windowAt(w, from); cur.start < end; cur = { start: cur.end, end: cur.end.plus({ [w.period]: 1 }) }) {
    out.push(cur);
    if (out.length > 10_000) break;
  }
  return out;
}
