// Where the CPU went during a benchmark phase: CPU seconds per process group,
// read from /proc (utime + stime), so a figure like "40 % of COPY" can be
// traced to the API, the worker, PostgreSQL or Redis.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

type Snapshot = Map<number, { comm: string; ticks: number; ppid: number }>;

function readStat(pid: number): { comm: string; ticks: number; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // fields[1] = ppid; fields[11], [12] = utime, stime (the 4th, 14th and 15th fields of stat)
    return { comm, ticks: Number(fields[11]) + Number(fields[12]), ppid: Number(fields[1]) };
  } catch {
    return undefined; // exited between readdir and read
  }
}

export function cpuSnapshot(): Snapshot {
  const snap: Snapshot = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) snap.set(Number(name), s);
  }
  return snap;
}

/** CPU seconds spent between two snapshots, grouped by `groupOf(pid, comm)` (undefined = ignored). */
export function cpuSecondsBetween(before: Snapshot, after: Snapshot, groupOf: (pid: number, comm: string) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [pid, { comm, ticks }] of after) {
    const group = groupOf(pid, comm);
    if (!group) continue;
    const spent = ticks - (before.get(pid)?.ticks ?? 0);
    out.set(group, (out.get(group) ?? 0) + spent / TICKS_PER_SECOND);
  }
  return out;
}

/** `root` and every process below it in `snapshot`. */
export function processTree(snapshot: Snapshot, root: number): Set<number> {
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, { ppid }] of snapshot) if (!tree.has(pid) && tree.has(ppid)) grew = tree.add(pid) !== undefined;
  }
  return tree;
}

/** PostgreSQL's processes serving `database` (a backend's command line names its database). */
export function backendsOf(snapshot: Snapshot, database: string): Set<number> {
  const out = new Set<number>();
  for (const [pid, { comm }] of snapshot) {
    if (comm !== 'postgres') continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(' ').includes(database)) out.add(pid);
    } catch {
      // exited
    }
  }
  return out;
}
