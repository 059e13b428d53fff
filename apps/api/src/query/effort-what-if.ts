// "The same work at a lower effort" (issue 24, a what-if of ADR 0014): the slice's calls made above
// a target effort take, call for call, the token mix observed in the same range for the same task
// type and model at the target effort; the what-if prices both mixes with the pricing engine as any
// other scenario. Groups with no observation at the target stay as observed, and the answer says so.
import { EFFORT_LEVELS, type Effort, TOKEN_TYPES, type TokenCounts } from '@spendgraph/schema';
import { argumentError } from './errors.ts';
import type { MixRow } from './what-if.ts';

/** The dimensions the mix is read by for an effort scenario: the task type, then the effort. */
export const EFFORT_BY = ['task_type', 'effort'] as const;

/** The target effort of a scenario; a bad one is a 400 naming it. */
export function checkEffort(value: string | null | undefined, field = 'scenario.effort'): Effort | undefined {
  if (value === null || value === undefined) return undefined;
  if (!(EFFORT_LEVELS as readonly string[]).includes(value)) throw argumentError('INVALID_ARGUMENT', field, `must be one of ${EFFORT_LEVELS.join(', ')}`);
  return value as Effort;
}

const rank = (e: string | null) => (e === null ? -1 : EFFORT_LEVELS.indexOf(e as Effort));
const keyOf = (r: MixRow) => JSON.stringify([r.by.task_type ?? null, r.mix.provider, r.mix.model, r.mix.serviceTier]);

export interface EffortRow extends MixRow {
  /** The tokens the same calls would use at the target effort (the observed ones when unchanged). */
  atTarget: TokenCounts;
  /** moved: priced from the target's mix; unobserved: above the target with nothing to price it from; kept: at or below it, or no effort stated. */
  outcome: 'moved' | 'unobserved' | 'kept';
}

/**
 * Each row's tokens at the target effort: a row above it takes the per-call mix of the rows at the
 * target with its task type, provider, model and tier (calls as observed); the others keep theirs.
 */
export function atEffort(rows: readonly MixRow[], target: Effort): { rows: EffortRow[]; reference: number; unobserved: number } {
  const reference = new Map<string, { calls: number; tokens: TokenCounts }>();
  for (const r of rows.filter((x) => x.by.effort === target)) reference.set(keyOf(r), { calls: r.mix.calls, tokens: r.mix.tokens });
  let unobserved = 0;
  const out = rows.map((r): EffortRow => {
    if (rank(r.by.effort ?? null) <= rank(target)) return { ...r, atTarget: r.mix.tokens, outcome: 'kept' };
    const ref = reference.get(keyOf(r));
    if (!ref || ref.calls === 0) {
      unobserved += r.mix.calls;
      return { ...r, atTarget: r.mix.tokens, outcome: 'unobserved' };
    }
    const atTarget = Object.fromEntries(TOKEN_TYPES.map((t) => [t, (ref.tokens[t] * r.mix.calls) / ref.calls])) as TokenCounts;
    return { ...r, atTarget, outcome: 'moved' };
  });
  return { rows: out, reference: [...reference.values()].reduce((s, x) => s + x.calls, 0), unobserved };
}

/** What an effort scenario assumes, in words (added to the what-if's other assumptions). */
export function effortAssumptions(target: Effort, moved: number, reference: number, unobserved: number): string[] {
  const out = [
    `Every call above ${target} effort made at ${target}: its tokens of each type are the average per call observed at ${target} for the same task type, provider, model and tier in the same period (${reference} calls observed at ${target}; ${moved} calls moved).`,
    'The work done does not change at the lower effort: success, retries and the number of calls are as observed (compare the error rate by effort before acting).',
    'Calls without a task type are compared with other calls without one; calls whose effort is not known, and those at or below the target, are unchanged.',
  ];
  if (unobserved) out.push(`${unobserved} calls above ${target} have no call of their task type and model observed at ${target}: they are priced as observed (no saving counted).`);
  return out;
}
