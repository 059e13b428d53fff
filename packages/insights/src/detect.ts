// Flags sessions and tasks whose cost exceeds `threshold` x the median cost of
// their peer group (the subjects of the same window sharing a task type, or a
// main agent, ...), with the likely causes. Each window's set of anomalies is
// replaced on every run: reruns are idempotent and rows show the latest figures.
import { now as clockNow } from '@spendgraph/periods/clock';
import { Decimal } from 'decimal.js';
import { type AnomalyKind, type NewAnomaly, type Pool, listWorkspaceIds, replaceAnomalies } from '@spendgraph/db';
import type { SemanticLayer } from '@spendgraph/semantic';
import { type Metrics, likelyCauses, metricsOf, peerMedians } from './causes.ts';
import { type AnomalySettings, DEFAULT_ANOMALY_SETTINGS, type DetectionWindow } from './settings.ts';
import { median, round } from './stats.ts';
import { type Scan, type Subject, expensiveModels, readSubjects } from './subjects.ts';
import { type Window, windowAt, windowsToScan } from './window.ts';

export interface DetectOptions {
  /** One workspace; every workspace when absent. */
  workspaceId?: string;
  /** Default now: the window containing it and the one before are scanned. */
  now?: Date;
  /** Default: settings.window (a UTC day). */
  window?: DetectionWindow;
  /** Only the window containing `now` (the report asks for the day it reports on). */
  onlyWindowOfNow?: boolean;
  kinds?: AnomalyKind[];
  settings?: Partial<AnomalySettings>;
}

export interface DetectResult {
  workspaces: number;
  /** Anomalies now recorded in the scanned windows. */
  anomalies: number;
  inserted: number;
  removed: number;
}

interface Candidate {
  subject: Subject;
  dimension: string;
  value: string;
  peers: Subject[];
  median: Decimal;
  ratio: Decimal;
}

export async function detectAnomalies(deps: { pool: Pool; semantic: SemanticLayer }, opts: DetectOptions = {}): Promise<DetectResult> {
  const settings = { ...DEFAULT_ANOMALY_SETTINGS, ...opts.settings };
  const window = opts.window ?? settings.window;
  const now = opts.now ?? clockNow();
  const windows = opts.onlyWindowOfNow ? [windowAt(window, now)] : windowsToScan(window, now);
  const workspaces = opts.workspaceId ? [opts.workspaceId] : await listWorkspaceIds(deps.pool);
  const result: DetectResult = { workspaces: workspaces.length, anomalies: 0, inserted: 0, removed: 0 };
  for (const workspaceId of workspaces) {
    for (const w of windows) {
      const scan: Scan = { workspaceId, window: w, timezone: window.timezone, currency: settings.currency };
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
  const { models: expensive } = await expensiveModels(deps.semantic, scan);
  const out = new Map<AnomalyKind, NewAnomaly[]>();
  for (const kind of kinds) {
    const subjects = await readSubjects(deps.semantic, scan, kind, settings.peerDimensions);
    const metrics = new Map(subjects.map((s) => [s.id, metricsOf(s, expensive)]));
    const candidates = flag(subjects, settings);
    out.set(kind, candidates.map((c) => toAnomaly(scan, kind, settings, c, metrics, expensive)));
  }
  return out;
}

/** Each subject over the threshold in some peer group, compared with the group where its ratio is highest. */
function flag(subjects: Subject[], s: AnomalySettings): Candidate[] {
  const threshold = new Decimal(s.threshold);
  const best = new Map<string, Candidate>();
  for (const dimension of s.peerDimensions) {
    const groups = Map.groupBy(subjects.filter((x) => x.peerValues.has(dimension)), (x) => x.peerValues.get(dimension)!);
    for (const [value, peers] of groups) {
      if (peers.length < s.minPeers) continue;
      const mid = median(peers.map((p) => p.cost));
      if (mid.lte(0)) continue;
      for (const subject of peers) {
        if (subject.cost.lt(s.minCost) || !subject.cost.gt(mid.times(threshold))) continue;
        const ratio = subject.cost.div(mid);
        const known = best.get(subject.id);
        if (!known || ratio.gt(known.ratio)) best.set(subject.id, { subject, dimension, value, peers, median: mid, ratio });
      }
    }
  }
  return [...best.values()].sort((a, b) => b.ratio.comparedTo(a.ratio) || a.subject.id.localeCompare(b.subject.id));
}

function toAnomaly(scan: Scan, kind: AnomalyKind, s: AnomalySettings, c: Candidate, metrics: Map<string, Metrics>, expensive: Set<string>): NewAnomaly {
  const peer = peerMedians(c.peers.map((p) => metrics.get(p.id)!));
  return {
    workspaceId: scan.workspaceId,
    kind,
    subjectId: c.subject.id,
    peerDimension: c.dimension,
    peerValue: c.value,
    peerCount: c.peers.length,
    ...bounds(scan.window),
    timezone: scan.timezone,
    currency: scan.currency,
    cost: c.subject.cost.toFixed(),
    peerMedian: c.median.toFixed(),
    ratio: round(c.ratio),
    threshold: s.threshold,
    causes: likelyCauses(metrics.get(c.subject.id)!, peer, { subject: c.subject, expensive }),
  };
}
