// The rules a budget or an alert channel must satisfy before it is stored, whatever the
// transport: an update is merged into the stored budget and validated whole; a scope names
// dimensions the workspace's events have; a channel never targets an internal address.
// Failures are RuleErrors naming the field relative to the input (`scope[0].member`).
import { randomBytes } from 'node:crypto';
import type { AlertChannel, Budget, BudgetFields } from '@spendgraph/db';
import { type EgressPolicy, literalRefusal } from './egress.ts';
import { alertChannelInputSchema, issuePath, parseBudget } from './schema.ts';

export type RuleErrorCode = 'INVALID_ARGUMENT' | 'UNKNOWN_MEMBER';

export class RuleError extends Error {
  readonly code: RuleErrorCode;
  /** Path within the input; empty for the input as a whole. */
  readonly field: string;
  readonly reason: string;
  /** Every issue found, when there are several (a whole budget validated at once). */
  readonly issues?: Array<{ path: string; message: string }>;

  constructor(code: RuleErrorCode, field: string, reason: string, issues?: Array<{ path: string; message: string }>) {
    super(`${field}: ${reason}`);
    this.name = 'RuleError';
    this.code = code;
    this.field = field;
    this.reason = reason;
    this.issues = issues;
  }
}

/** The fields of a new budget; `dimensions` are those a scope may name. */
export function newBudgetFields(input: Record<string, unknown>, dimensions: ReadonlySet<string>): BudgetFields {
  const amount = input.amount;
  const parsed = parseBudget({ ...input, amount: typeof amount === 'number' ? String(amount) : amount });
  if (!parsed.ok) {
    const first = parsed.issues[0]!;
    throw new RuleError('INVALID_ARGUMENT', first.path, first.message, parsed.issues);
  }
  parsed.fields.scope.forEach((f, i) => {
    if (!dimensions.has(f.member)) {
      throw new RuleError('UNKNOWN_MEMBER', `scope[${i}].member`, `unknown dimension '${f.member}'; use one of ${[...dimensions].sort().join(', ')}`);
    }
  });
  return parsed.fields;
}

/**
 * The fields of a budget after `changes` (absent and null ones keep the stored value).
 * Conveniences: a scope replaces "whole workspace", and leaving the rolling period drops
 * its window length.
 */
export function updatedBudgetFields(budget: Budget, changes: Record<string, unknown>, dimensions: ReadonlySet<string>): BudgetFields {
  const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined && v !== null));
  const merged: Record<string, unknown> = { ...budget, ...given };
  if (Array.isArray(given.scope) && given.scope.length && given.wholeWorkspace === undefined) merged.wholeWorkspace = false;
  if (given.period && given.period !== 'rolling' && given.rollingDays === undefined) merged.rollingDays = null;
  if (given.period && given.period !== 'rolling' && given.rollingHours === undefined) merged.rollingHours = null;
  // A window given in the other unit replaces the stored one.
  if (given.rollingHours !== undefined && given.rollingDays === undefined) merged.rollingDays = null;
  if (given.rollingDays !== undefined && given.rollingHours === undefined) merged.rollingHours = null;
  const { id: _id, workspaceId: _ws, paused: _p, createdAt: _c, updatedAt: _u, ...fields } = merged;
  return newBudgetFields(fields, dimensions);
}

export type NewAlertChannel = Pick<AlertChannel, 'budgetId' | 'name' | 'type' | 'target' | 'secret'>;

/**
 * A channel ready to store: validated, a literal internal address refused (host names are
 * judged by the worker when it resolves them), a webhook given its signing secret.
 */
export function newAlertChannel(input: unknown, egress: EgressPolicy): NewAlertChannel {
  const parsed = alertChannelInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RuleError('INVALID_ARGUMENT', issuePath(issue.path), issue.message);
  }
  const c = parsed.data;
  const refused = c.type !== 'email' && literalRefusal(egress, new URL(c.target));
  if (refused) throw new RuleError('INVALID_ARGUMENT', 'target', refused);
  const secret = c.type === 'webhook' ? `whsec_${randomBytes(24).toString('base64url')}` : null;
  return { name: c.name, type: c.type, target: c.target, budgetId: c.budgetId ?? null, secret };
}
