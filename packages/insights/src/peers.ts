// Peer groups: the subjects of a window sharing every peer dimension's value
// (task type x main agent by default). A subject whose group is too small is
// compared with a coarser one: fewer dimensions, the ones listed first kept first.
import { Decimal } from 'decimal.js';
import { median } from './stats.ts';
import type { Subject } from './subjects.ts';

export interface PeerGroup {
  /** The dimensions it was formed on, joined by ' x ' (e.g. "task_type x agent"). */
  dimension: string;
  /** Their values, in the same order and joined the same way. */
  value: string;
  /** Every subject of the group, the compared one included. */
  members: Subject[];
  medianCost: Decimal;
}

export const JOIN = ' x ';

/** Non-empty subsets of the dimensions, largest first, then in the order the dimensions are listed. */
export function peerLevels(dimensions: string[]): string[][] {
  const n = dimensions.length;
  const masks = Array.from({ length: (1 << n) - 1 }, (_, i) => i + 1);
  const bits = (m: number) => dimensions.filter((_, i) => m & (1 << (n - 1 - i)));
  return masks.sort((a, b) => bits(b).length - bits(a).length || b - a).map(bits);
}

/** For each subject, the finest peer group of at least `minPeers` subjects it belongs to. */
export function assignPeerGroups(subjects: Subject[], dimensions: string[], minPeers: number): Map<string, PeerGroup> {
  const out = new Map<string, PeerGroup>();
  for (const level of peerLevels(dimensions)) {
    const keyed = subjects.filter((s) => !out.has(s.id) && level.every((d) => s.peerValues.has(d)));
    const groups = Map.groupBy(subjects.filter((s) => level.every((d) => s.peerValues.has(d))), (s) => level.map((d) => s.peerValues.get(d)!).join(JOIN));
    for (const s of keyed) {
      const value = level.map((d) => s.peerValues.get(d)!).join(JOIN);
      const members = groups.get(value)!;
      if (members.length < minPeers) continue;
      out.set(s.id, { dimension: level.join(JOIN), value, members, medianCost: median(members.map((m) => m.cost)) });
    }
  }
  return out;
}
