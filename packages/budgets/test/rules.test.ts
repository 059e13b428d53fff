// The rules a budget or channel change must satisfy, without a transport: errors name the
// field within the input, and an update is merged into the stored budget before it is checked.
import { describe, expect, it } from 'vitest';
import type { Budget } from '@spendgraph/db';
import { RuleError, newAlertChannel, newBudgetFields, parseEgressAllowList, updatedBudgetFields } from '../src/index.ts';

const DIMENSIONS = new Set(['agent', 'user_id', 'model']);
const stored: Budget = {
  id: 'b1', workspaceId: 'w', name: 'Team', scope: [{ member: 'agent', operator: 'equals', values: ['coder'] }], wholeWorkspace: false,
  period: 'rolling', rollingDays: 7, rollingHours: null, unit: 'cost', timezone: 'UTC', amount: '500', currency: 'USD', thresholds: [50, 100], forecastAlerts: true,
  mode: 'soft', paused: false, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z', coveredWorkspaceIds: ['w'],
};

const failure = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof RuleError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('no rule was broken');
};

describe('budget rules', () => {
  it('take a number as the amount and fill the defaults', () => {
    expect(newBudgetFields({ name: 'All', period: 'daily', amount: 5, wholeWorkspace: true }, DIMENSIONS))
      .toMatchObject({ amount: '5', currency: 'USD', thresholds: [50, 75, 90, 100], rollingDays: null, scope: [] });
  });

  it('name the field of the first broken rule, and an unknown dimension apart', () => {
    expect(failure(() => newBudgetFields({ name: 'x', period: 'daily', amount: '0', wholeWorkspace: true }, DIMENSIONS)))
      .toEqual({ code: 'INVALID_ARGUMENT', field: 'amount' });
    expect(failure(() => newBudgetFields({ name: 'x', period: 'daily', amount: '1', scope: [{ member: 'colour', values: ['red'] }] }, DIMENSIONS)))
      .toEqual({ code: 'UNKNOWN_MEMBER', field: 'scope[0].member' });
  });

  it('merge an update: absent and null fields keep their value, leaving rolling drops the window', () => {
    const f = updatedBudgetFields(stored, { amount: '750', name: null, period: 'monthly' }, DIMENSIONS);
    expect(f).toMatchObject({ name: 'Team', amount: '750', period: 'monthly', rollingDays: null, scope: stored.scope });
    expect(f).not.toHaveProperty('id');
  });

  it('let a new scope replace "whole workspace"', () => {
    const whole = { ...stored, scope: [], wholeWorkspace: true };
    expect(updatedBudgetFields(whole, { scope: [{ member: 'user_id', values: ['ana'] }] }, DIMENSIONS)).toMatchObject({ wholeWorkspace: false });
  });
});

describe('alert channel rules', () => {
  const egress = parseEgressAllowList('');

  it('give a webhook its signing secret, and nothing else one', () => {
    expect(newAlertChannel({ name: 'hook', type: 'webhook', target: 'https://example.com/h' }, egress).secret).toMatch(/^whsec_/);
    expect(newAlertChannel({ name: 'mail', type: 'email', target: 'ops@example.com' }, egress)).toMatchObject({ secret: null, budgetId: null });
  });

  it('refuse an internal address as the target', () => {
    expect(failure(() => newAlertChannel({ name: 'x', type: 'webhook', target: 'http://127.0.0.1:8080/' }, egress)))
      .toEqual({ code: 'INVALID_ARGUMENT', field: 'target' });
  });
});
