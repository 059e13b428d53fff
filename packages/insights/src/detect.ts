// Flags sessions and tasks whose cost exceeds `threshold` x the median cost of
// their peer group (peers.ts), with the causes of the excess in dollars
// (causes.ts). Each window's set of anomalies is replaced on every run: reruns
// are idempotent and rows show the latest figures.
import { now as clockNow } from '@spendgraph/periods/clock';
import { Decimal } from 'decimal.js';
import { type AnomalyKind, type NewAnomaly, type Pool, getWorkspaceSettings, listWorkspaceIds, replaceAnomalies } from '@spendgraph/db';
import type { SemanticLayer } from '@spendgraph/semantic';
import { type Market, likelyCauses, marketOf } from './causes.ts';
import { type PeerGroup, assignPeerGroups } from './peers.ts';
import { type AnomalySettings, DEFAULT_ANOMALY_SETTINGS, type DetectionWindow } from './settings.ts';
import { round } from './stats.ts';
import { type Scan, type Subject, readSubjects } from './subjects.ts';
import { type Window, windowAt, windowsBetween, windowsToScan } from './window.ts';

export interface DetectOptions {
  /** One workspace; every workspace when absent. */
  workspaceId?: string;
  /** Default now: the window containing it and the one before are scanned. */
  now?: Date;
  /** Every window overlapping [from, to) instead (re-detection of past days, back-filled history). */
  range?: { from: Date; to: Date };
  /** Default: settings.window (a UTC day). */
  window?: DetectionWindow;
  /** Only the window containing `now` (the report asks for the day it reports on). */
  onlyWindowOfNow?: boolean;
  kinds?: AnomalyKind[];
  settings?: Partial<AnomalySettings>;
}

export interface DetectResult {
  workspaces: number;
  /** Windows scanned per workspace. */
  windows: number;
  /** Anomalies now recorded in the scanned windows. */
  anomalies: number;
  inserted: number;
  removed: number;
}

/** Windows a range may span (a year of days): detection over more is refused. */
export const MAX_WINDOWS = 366;

function windowsOf(opts: DetectOptions, window: DetectionWindow): Window[] {
  if (opts.range) return windowsBetween(window, opts.range.from, opts.range.to);
  const now = opts.now ?? clockNow();
  return opts.onlyWindowOfNow ? [windowAt(window, now)] : windowsToScan(window, now);
}

/** The currency a workspace's figures are in: its reporting currency (docs/decisions/0023-currencies.md). */
export async function reportingCurrency(pool: Pool, workspaceId: string): Promise<string> {
  return (await getWorkspaceSettings(pool, workspaceId))?.currency ?? 'USD';
}

export async function detectAnomalies(deps: { pool: Pool; semantic: SemanticLayer }, opts: DetectOptions = {}): Promise<DetectResult> {
  const settings = { ...DEFAULT_ANOMALY_SETTINGS, ...opts.settings };
  const window = opts.window ?? settings.window;
  const windows = windowsOf(opts, window);
  if (windows.length > MAX_WINDOWS) throw new RangeError(`a detection range may span at most ${MAX_WINDOWS} windows`);
  const workspaces = opts.workspaceId ? [opts.workspaceId] : await listWorkspaceIds(deps.pool);
  const result: DetectResult = { workspaces: workspaces.length, windows: windows.length, anomalies: 0, inserted: 0, removed: 0 };
  for (const workspaceId of workspaces) {
    const currency = await reportingCurrency(deps.pool, workspaceId);
    for (const w of windows) {
      const scan: Scan = { workspaceId, window: w, timezone: window.timezone, currency };
      const found = await detectInWindow(deps, scan, opts.kinds ?? ['session', 'task'], settings);
      for (const [kind, anomalies] of found) {
        const r = await replaceAnomalies(deps.pool, { workspaceId, kind, ...bounds(w) }, anomalies);
        result.anomalies += anomalies.length;
        result.inserted += r.inserted;
        result.removed += r.removed;
      }
    }
  }
  return result;
}

const bounds = (w: Window) => ({ windowStart: w.start.toUTC().toISO()!, windowEnd: w.end.toUTC().toISO()! });

async function detectInWindow(
  deps: { semantic: SemanticLayer },
  scan: Scan,
  kinds: AnomalyKind[],
  settings: AnomalySettings,
): Promise<Map<AnomalyKind, NewAnomaly[]>> {
  const out = new Map<AnomalyKind, NewAnomaly[]>();
  for (const kind of kinds) {
    const subjects = await readSubjects(deps.semantic, scan, kind, settings.peerDimensions);
    out.set(kind, findAnomalies(subjects, settings).map((c) => toAnomaly(scan, kind, settings, c, marketOf(subjects))));
  }
  return out;
}

interface Candidate {
  subject: Subject;
  group: PeerGroup;
  ratio: Decimal;
}

/** The subjects costing over `threshold` x their peer group's median, largest ratio first. */
export function findAnomalies(subjects: Subject[], s: AnomalySettings): Candidate[] {
  const threshold = new Decimal(s.threshold);
  const groups = assignPeerGroups(subjects, s.peerDimensions, s.minPeers);
  const found: Candidate[] = [];
  for (const subject of subjects) {
    const group = groups.get(subject.id);
    if (!group || group.medianCost.lte(0) || subject.cost.lt(s.minCost)) continue;
    if (subject.cost.gt(group.medianCost.times(threshold))) found.push({ subject, group, ratio: subject.cost.div(group.medianCost) });
  }
  return found.sort((a, b) => b.ratio.comparedTo(a.ratio) || a.subject.id.localeCompare(b.subject.id));
}

function toAnomaly(scan: Scan, kind: AnomalyKind, s: AnomalySettings, c: Candidate, market: Market): NewAnomaly {
  const { subject, group } = c;
  return {
    workspaceId: scan.workspaceId,
    kind,
    subjectId: subject.id,
    peerDimension: group.dimension,
    peerValue: group.value,
    peerCount: group.members.length,
    ...bounds(scan.window),
    timezone: scan.timezone,
    currency: scan.currency,
    cost: subject.cost.toFixed(),
    peerMedian: group.medianCost.toFixed(),
    ratio: round(c.ratio),
    threshold: s.threshold,
    causes: likelyCauses({
      subject, peers: group.members.filter((m) => m !== subject), excess: subject.cost.minus(group.medianCost),
      market, materialShare: s.materialShare, currency: scan.currency,
    }),
  };
}
