// The consistency check: seeds a workspace through the real ingest API, then asks seeded
// random questions on every surface while events keep arriving, a repricing and a retention
// run happen, and compares each answer with SQL over the raw events at the same snapshot:
// the workspace's fingerprint (rows, cost, horizon) is taken before and after the answer and
// after the truth; only answers whose three fingerprints agree are compared, others are asked again.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { addPriceOverride, createApiKey } from '@spendgraph/db';
import { APPLY_RETENTION_JOB, MAINTENANCE_QUEUE } from '@spendgraph/queue';
import { type Platform, postEvents, storedCount, waitFor, workspaceWithKey } from '../platform.ts';
import { type Diff, compareSeries, compareSpend, compareTree } from './compare.ts';
import { arrivals, history } from './events.ts';
import { type Instants, budgetWindow, resolveRange } from './periods.ts';
import { type Question, type Surface, SURFACES, question } from './questions.ts';
import { Random } from './random.ts';
import { type Answer, type Api, ask, deleteBudget, embedToken } from './surfaces.ts';
import { breakdownTruth, fingerprint, spendTruth, timeseriesTruth } from './truth.ts';

export interface Options {
  seed: number;
  questions: number;
  surfaces?: readonly Surface[];
  historyEvents?: number;
  concurrency?: number;
  /** Retries of a question whose snapshot moved while it was answered. */
  attempts?: number;
  /** No arrivals, repricing, retention or warming: the data stands still (a check of the check itself). */
  still?: boolean;
  log?: (line: string) => void;
}

type Outcome =
  | { status: 'compared'; diffs: Array<Diff & { category: string }>; answer: Answer }
  | { status: 'refused-expected'; answer: Answer }
  | { status: 'unsettled' };

export interface SurfaceStats { asked: number; compared: number; refusedExpected: number; unsettled: number; mismatched: number }
export interface Category { name: string; questions: number; surfaces: string[]; example: Diff; question: Question; minimal: Question }
export interface Summary {
  seed: number;
  questions: number;
  mismatches: number;
  compared: number;
  unsettled: number;
  surfaces: Record<string, SurfaceStats>;
  categories: Category[];
  events: { history: number; arrived: number; refusedBatches: number };
  repricing: { status: string; eventsChanged: number | null };
  retention: { horizon: string | null };
  seconds: number;
}

/** Deadlock, serialization failure, a chunk dropped under a query: Postgres says "try again". */
const RETRYABLE = new Set(['40P01', '40001', '42P01']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rangeClass(q: Question): string {
  if (q.surface === 'budget') return `${q.budget!.period}`;
  if (!q.range) return 'all-time';
  if ('relative' in q.range) return 'relative';
  if (!q.range.to) return 'open-end';
  if (/^\d{4}-\d{2}-\d{2}$/.test(q.range.from)) return 'dates';
  return /Z$/.test(q.range.from) ? 'utc-instants' : 'local-times';
}

/** What kind of answer went wrong, for which kind of range: the surfaces are listed per category. */
function category(q: Question, d: Diff, answer: Answer, attempt: number): string {
  const rollups = 'rollups' in answer && answer.rollups?.length ? ' · roll-up' : '';
  const zone = q.timezone === 'UTC' ? 'UTC' : 'zoned';
  // Asked again after the data changed: a stale answer here comes from a cache.
  const again = attempt > 0 ? ' · re-asked' : '';
  return `${d.kind} · ${rangeClass(q)} · ${zone}${rollups}${again}`;
}

export class Checker {
  private readonly p: Platform;
  private readonly api: Api;
  private readonly ws: string;
  private readonly attempts: number;
  /** Answers asked in all (a question is asked again when its snapshot moved). */
  asks = 0;
  constructor(p: Platform, api: Api, ws: string, attempts: number) {
    this.p = p;
    this.api = api;
    this.ws = ws;
    this.attempts = attempts;
  }

  private async truth(q: Question, r: Instants) {
    if (q.surface.endsWith('breakdown')) return breakdownTruth(this.p.pool, this.ws, q, r);
    return timeseriesTruth(this.p.pool, this.ws, q, r);
  }

  /** Asks until the answer and the truth come from one snapshot; compares them. */
  async check(q: Question): Promise<Outcome> {
    const token = q.surface.startsWith('embed') ? await embedToken(this.api, q).catch((e: Error) => e) : undefined;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const outcome = await this.attempt(q, token, attempt).catch((e: { code?: string }) => {
        // Our own SQL lost a race with retention dropping chunks: the snapshot moved, ask again.
        if (e.code && RETRYABLE.has(e.code)) return undefined;
        throw e;
      });
      if (outcome) return outcome;
    }
    return { status: 'unsettled' };
  }

  /** One answer between two fingerprints; undefined when the snapshot moved meanwhile. */
  private async attempt(q: Question, token: string | Error | undefined, attempt: number): Promise<Outcome | undefined> {
    this.asks++;
    const fp1 = await fingerprint(this.p.pool, this.ws);
    const t1 = Date.now();
    const answer = token instanceof Error ? { kind: 'refused' as const, code: 'EMBED_TOKEN', message: token.message } : await ask(this.api, q, token);
    const t2 = Date.now();
    const fp2 = await fingerprint(this.p.pool, this.ws);
    const verdict = fp1 === fp2 ? await this.judge(q, answer, t1, t2, JSON.parse(fp2).horizon) : 'moved';
    if (answer.kind === 'spend') await deleteBudget(this.api, answer.budgetId);
    if (verdict === 'moved' || (await fingerprint(this.p.pool, this.ws)) !== fp2) return undefined;
    if (verdict === 'refused-expected') return { status: 'refused-expected', answer };
    return { status: 'compared', answer, diffs: verdict.map((d) => ({ ...d, category: category(q, d, answer, attempt) })) };
  }

  /** The differences between an answer given between t1 and t2 and the raw truth now ('moved': the range itself moved meanwhile). */
  private async judge(q: Question, answer: Answer, t1: number, t2: number, horizon: string | null): Promise<Diff[] | 'moved' | 'refused-expected'> {
    if (answer.kind === 'spend') {
      const window = budgetWindow(q.budget!, q.timezone, Date.parse(answer.evaluatedAt));
      return compareSpend(answer.spend, await spendTruth(this.p.pool, this.ws, q, window));
    }
    const r1 = resolveRange(q.range, q.timezone, t1);
    if (answer.kind === 'refused') {
      // Raw events before the retention horizon are gone: refusing a range reaching before it is right.
      const expired = answer.code === 'RAW_DATA_EXPIRED' && horizon && (r1.start ?? Number.NEGATIVE_INFINITY) < Date.parse(horizon);
      return expired ? 'refused-expected' : [{ kind: 'refused', where: answer.code, api: answer.message }];
    }
    const truth = await this.truth(q, r1);
    // The range moved while the answer was made (midnight, an open end): both moments must agree.
    const r2 = resolveRange(q.range, q.timezone, t2);
    if (JSON.stringify(r1) !== JSON.stringify(r2) && JSON.stringify([...truth]) !== JSON.stringify([...await this.truth(q, r2)])) return 'moved';
    return answer.kind === 'tree' ? compareTree(answer, truth) : compareSeries(answer, truth);
  }

  /** A smaller question with the same kind of mismatch: fewer filters, dimensions, measures, scope; UTC. */
  async shrink(q: Question, cat: string, budget = 16): Promise<Question> {
    const sameKind = (o: Outcome) => o.status === 'compared' && o.diffs.some((d) => d.category.split(' · ')[0] === cat.split(' · ')[0]);
    let best = q;
    let tries = 0;
    for (let improved = true; improved && tries < budget;) {
      improved = false;
      for (const c of smaller(best)) {
        if (tries++ >= budget) break;
        if (sameKind(await this.check(c))) {
          best = c;
          improved = true;
          break;
        }
      }
    }
    return best;
  }
}

function smaller(q: Question): Question[] {
  const out: Question[] = [];
  q.filters.forEach((_, i) => out.push({ ...q, filters: q.filters.filter((__, j) => j !== i) }));
  if (q.by.length) out.push({ ...q, by: q.by.slice(0, -1) });
  if (q.measures.length > 1) q.measures.forEach((m) => out.push({ ...q, measures: [m] }));
  if (q.budget?.scope.length) q.budget.scope.forEach((_, i) => out.push({ ...q, budget: { ...q.budget!, scope: q.budget!.scope.filter((__, j) => j !== i) } }));
  if (q.timezone !== 'UTC') out.push({ ...q, timezone: 'UTC' });
  return out;
}

/** Sends events through POST /v1/events (202 = queued) and waits until the worker stored them all. */
async function ingest(p: Platform, key: string, ws: string, events: Array<Record<string, unknown>>) {
  const before = await storedCount(p.pool, ws);
  for (let i = 0; i < events.length; i += 2000) {
    const res = await postEvents(p.apiUrl, key, events.slice(i, i + 2000));
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
  await waitFor(async () => (await storedCount(p.pool, ws)) >= before + events.length, 120_000, 'events to be stored');
}

async function graphqlOk(api: Api, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${api.key}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Events arriving through the ingest API in bursts with quiet gaps (in which answers settle) until stopped. */
function startArrivals(p: Platform, key: string, seed: number) {
  const r = new Random(seed);
  let arriving = true;
  let arrived = 0;
  let refused = 0;
  const loop = (async () => {
    while (arriving) {
      const batch = arrivals(r, r.int(5, 60), Date.now());
      const status = await postEvents(p.apiUrl, key, batch).then((res) => res.status, () => 0);
      if (status === 202) arrived += batch.length;
      else refused++; // a lost batch changes no comparison (each is made at one snapshot); it is reported
      await sleep(r.int(1000, 4000));
    }
  })();
  return {
    async stop() {
      arriving = false;
      await loop;
      return { arrived, refused };
    },
  };
}

interface UpheavalContext { p: Platform; api: Api; ws: string; now: number; questions: number; still: boolean; log: (line: string) => void }

/** The worker's repricing at a quarter of the questions, a retention run at half; the last quarter waits for both. */
class Upheavals {
  private repricingId: string | undefined;
  private readonly at: { reprice: number; retention: number; settled: number };
  private readonly redis: Redis;
  private readonly maintenance: Queue;
  private readonly ctx: UpheavalContext;
  constructor(ctx: UpheavalContext) {
    this.ctx = ctx;
    const n = ctx.questions;
    this.at = ctx.still ? { reprice: -1, retention: -1, settled: -1 } : { reprice: Math.floor(n * 0.25), retention: Math.floor(n * 0.5), settled: Math.floor(n * 0.75) };
    this.redis = new Redis(ctx.p.env.REDIS_URL!, { maxRetriesPerRequest: null });
    this.maintenance = new Queue(MAINTENANCE_QUEUE, { connection: this.redis, prefix: ctx.p.env.QUEUE_PREFIX });
  }

  /** Runs what is due before question i. */
  async before(i: number) {
    const { p, api, ws, now, log } = this.ctx;
    if (i === this.at.reprice) {
      // A new negotiated rate from 20 days ago, then the explicit repricing job (it runs while questions go on).
      const from = new Date(now - 20 * 86_400_000).toISOString();
      await addPriceOverride(p.pool, ws, { provider: 'anthropic', model_pattern: '^claude-sonnet', effective_from: from, rates: { input: '2.5', output: '12.5', cache_read: '0.25' } });
      this.repricingId = (await graphqlOk(api, `mutation ($f: String!) { repriceEvents(input: { reason: "consistency check", provider: "anthropic", modelPattern: "^claude-sonnet", from: $f }) { id } }`, { f: from })).repriceEvents.id;
      log(`question ${i}: repricing queued`);
    }
    if (i === this.at.retention) {
      await graphqlOk(api, 'mutation { setRawRetention(days: 62) { rawRetentionDays } }');
      await this.maintenance.add(APPLY_RETENTION_JOB, {});
      log(`question ${i}: retention (62 days) run queued`);
    }
    if (i === this.at.settled) {
      log(`question ${i}: waiting for the repricing and retention runs`);
      await waitFor(async () => (await this.repricingDone()) && (await this.horizon()), 120_000, 'the repricing and retention runs');
    }
  }

  private async repricingDone() {
    return !this.repricingId || ['done', 'failed'].includes((await this.repricing()).status);
  }

  async repricing(): Promise<Summary['repricing']> {
    if (!this.repricingId) return { status: 'not run', eventsChanged: null };
    return (await graphqlOk(this.ctx.api, 'query ($id: ID!) { repricing(id: $id) { status eventsChanged } }', { id: this.repricingId })).repricing;
  }

  async horizon(): Promise<string | null> {
    return (await graphqlOk(this.ctx.api, '{ retention { rawDataHorizon } }')).retention.rawDataHorizon;
  }

  async close() {
    await this.maintenance.close();
    this.redis.disconnect();
  }
}

/** Counts per surface, and the mismatched questions by category. */
class Tally {
  readonly stats: Record<string, SurfaceStats>;
  private readonly firstOf = new Map<string, { q: Question; example: Diff; count: number; surfaces: Set<string> }>();
  constructor(surfaces: readonly Surface[]) {
    this.stats = Object.fromEntries(surfaces.map((s) => [s, { asked: 0, compared: 0, refusedExpected: 0, unsettled: 0, mismatched: 0 }]));
  }

  add(q: Question, o: Outcome) {
    const s = this.stats[q.surface]!;
    s.asked++;
    if (o.status === 'unsettled') s.unsettled++;
    else if (o.status === 'refused-expected') s.refusedExpected++;
    else {
      s.compared++;
      if (o.diffs.length) s.mismatched++;
      for (const d of new Map(o.diffs.map((x) => [x.category, x])).values()) {
        const c = this.firstOf.get(d.category) ?? { q, example: d, count: 0, surfaces: new Set<string>() };
        c.count++;
        c.surfaces.add(q.surface);
        this.firstOf.set(d.category, c);
      }
    }
  }

  total(k: keyof SurfaceStats) {
    return Object.values(this.stats).reduce((n, x) => n + x[k], 0);
  }

  /** The categories, most frequent first, the first few with a minimal question. */
  async categories(checker: Checker, shrinkFirst = 8): Promise<Category[]> {
    const out: Category[] = [];
    for (const [name, c] of [...this.firstOf].sort((a, b) => b[1].count - a[1].count)) {
      const minimal = out.length < shrinkFirst ? await checker.shrink(c.q, name) : c.q;
      out.push({ name, questions: c.count, surfaces: [...c.surfaces].sort(), example: c.example, question: c.q, minimal });
    }
    return out;
  }
}

export async function runConsistency(p: Platform, opts: Options): Promise<Summary> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const surfaces = opts.surfaces ?? SURFACES;
  const { workspaceId: ws } = await workspaceWithKey(p.pool, ['ingest']);
  const { key } = await createApiKey(p.pool, ws, ['ingest', 'read', 'admin'], 'consistency');
  const api: Api = { url: p.apiUrl, key };
  if (!opts.still) p.startWorker({ WORKER_QUEUES: 'maintenance', ROLLUP_WARM_EVERY_MS: '20000', RETENTION_EVERY_MS: '0' });
  const now = Date.now();
  const seeded = history(new Random(opts.seed), opts.historyEvents ?? 6000, now);
  await ingest(p, key, ws, seeded);
  log(`seeded ${seeded.length} events through the ingest API in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const arrivalsRun = opts.still ? { stop: async () => ({ arrived: 0, refused: 0 }) } : startArrivals(p, key, opts.seed + 1);
  const upheavals = new Upheavals({ p, api, ws, now, questions: opts.questions, still: !!opts.still, log });
  const checker = new Checker(p, api, ws, opts.attempts ?? 8);
  const qr = new Random(opts.seed + 2);
  const questions = Array.from({ length: opts.questions }, (_, i) => question(qr, i, now, surfaces));
  const tally = new Tally(surfaces);
  let next = 0;
  async function worker() {
    for (let i = next++; i < questions.length; i = next++) {
      await upheavals.before(i);
      const outcome = await checker.check(questions[i]!);
      tally.add(questions[i]!, outcome);
      // Each mismatch as it is found (a long run under load may be stopped before its summary).
      if (outcome.status === 'compared' && outcome.diffs.length) log(`MISMATCH question ${i}: ${JSON.stringify(outcome.diffs[0])} ${JSON.stringify(questions[i])}`);
      if ((i + 1) % 100 === 0) log(`${i + 1} questions, ${tally.total('mismatched')} mismatched`);
    }
  }
  const asking = Date.now();
  await Promise.all(Array.from({ length: opts.concurrency ?? 3 }, worker));
  const { arrived, refused } = await arrivalsRun.stop();
  log(`${questions.length} questions (${checker.asks} answers) in ${((Date.now() - asking) / 1000).toFixed(1)} s`);
  const categories = await tally.categories(checker);
  log(`minimal questions found in ${((Date.now() - asking) / 1000).toFixed(1)} s since the first question`);
  const summary: Summary = {
    seed: opts.seed,
    questions: questions.length,
    mismatches: tally.total('mismatched'),
    compared: tally.total('compared'),
    unsettled: tally.total('unsettled'),
    surfaces: tally.stats,
    categories,
    events: { history: seeded.length, arrived, refusedBatches: refused },
    repricing: await upheavals.repricing(),
    retention: { horizon: await upheavals.horizon() },
    seconds: Math.round((Date.now() - started) / 1000),
  };
  await upheavals.close();
  return summary;
}

export function formatSummary(s: Summary): string {
  const lines = [
    `consistency check, seed ${s.seed}: ${s.questions} questions, ${s.compared} compared at one snapshot, ${s.unsettled} unsettled, ${s.mismatches} mismatched (${s.seconds} s)`,
    `events: ${s.events.history} seeded + ${s.events.arrived} arriving during the run (${s.events.refusedBatches} batches refused); repricing: ${s.repricing.status} (${s.repricing.eventsChanged ?? 0} events changed); retention horizon: ${s.retention.horizon ?? 'none'}`,
    'surface              asked  compared  refused(expected)  unsettled  mismatched',
    ...Object.entries(s.surfaces).map(([name, x]) => `${name.padEnd(20)} ${String(x.asked).padStart(5)} ${String(x.compared).padStart(9)} ${String(x.refusedExpected).padStart(18)} ${String(x.unsettled).padStart(10)} ${String(x.mismatched).padStart(11)}`),
  ];
  for (const c of s.categories) {
    lines.push('', `MISMATCH ${c.name}: ${c.questions} question(s) on ${c.surfaces.join(', ')}; e.g. ${JSON.stringify(c.example)}`, `  question: ${JSON.stringify(c.question)}`, `  minimal:  ${JSON.stringify(c.minimal)}`);
  }
  return lines.join('\n');
}
