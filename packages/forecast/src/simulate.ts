// The distribution of a plan's remaining spend: the sum of its open tasks' costs,
// each drawn from a lognormal fitted to the completed tasks of its type (the mean
// and standard deviation of their log costs). Each simulated total first draws the
// type's parameters from their sampling distribution (few completed tasks, wider
// totals), then every open task's cost: tasks of a type share its uncertainty, as
// they do in fact. A seeded generator makes a forecast reproducible.
import { quantileSorted } from 'simple-statistics';

export interface LogNormalFit {
  /** Mean and standard deviation of ln(cost) over the completed tasks. */
  mu: number;
  sigma: number;
  /** Completed tasks fitted on. */
  n: number;
}

/** A type's fit; null without a positive cost to fit on. Zero-cost tasks are floored at a tenth of the smallest cost. */
export function fitLogNormal(costs: number[]): LogNormalFit | null {
  const positive = costs.filter((c) => c > 0);
  if (!positive.length) return null;
  const floor = Math.min(...positive) / 10;
  const logs = costs.map((c) => Math.log(Math.max(c, floor)));
  const n = logs.length;
  const mu = logs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? logs.reduce((a, b) => a + (b - mu) ** 2, 0) / (n - 1) : 0;
  return { mu, sigma: Math.sqrt(variance), n };
}

/** splitmix32: a small seeded generator, good enough for sampling (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A chi-squared draw with k degrees of freedom (Wilson-Hilferty). */
function chiSquared(k: number, rand: () => number): number {
  const c = 2 / (9 * k);
  return k * Math.max(1e-6, 1 - c + normal(rand) * Math.sqrt(c)) ** 3;
}

export interface TaskGroupDraw {
  count: number;
  fit: LogNormalFit;
  /** Spread used when the fit has one sample (sigma 0 says nothing): the all-types fit's. */
  fallbackSigma: number;
}

export interface RemainingDistribution {
  /** Sorted simulated totals of the remaining spend. */
  totals: number[];
}

export const SIMULATIONS = 4000;

export function simulateRemaining(groups: TaskGroupDraw[], seed = 23, runs = SIMULATIONS): RemainingDistribution {
  const rand = seededRandom(seed);
  const totals = new Array<number>(runs);
  for (let r = 0; r < runs; r++) {
    let total = 0;
    for (const g of groups) {
      const { mu: m, n } = g.fit;
      const s = n > 1 ? g.fit.sigma : g.fallbackSigma;
      // Posterior draws of the type's parameters (flat prior): sigma from its chi-squared, mu around the sample mean.
      const sigma = n > 2 ? s * Math.sqrt((n - 1) / chiSquared(n - 1, rand)) : s;
      const mu = m + (sigma / Math.sqrt(n)) * normal(rand);
      for (let i = 0; i < g.count; i++) total += Math.exp(mu + sigma * normal(rand));
    }
    totals[r] = total;
  }
  return { totals: totals.sort((a, b) => a - b) };
}

export const quantile = (d: RemainingDistribution, p: number) => (d.totals.length ? quantileSorted(d.totals, p) : 0);

/** The share of simulated totals above `x`. */
export function probabilityAbove(d: RemainingDistribution, x: number): number {
  if (!d.totals.length) return 0;
  let lo = 0;
  let hi = d.totals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d.totals[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return (d.totals.length - lo) / d.totals.length;
}
