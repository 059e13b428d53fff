// cube/cube.js (for a real Cube server) must scope queries like the in-process layer.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { QUERY_POLICY, secretProblem } from '../src/policy.ts';

const path = fileURLToPath(new URL('../../../cube/cube.js', import.meta.url));

const SECRET = randomBytes(32).toString('hex');

function loadConfig(env: Record<string, string | undefined> = { CUBEJS_API_SECRET: SECRET }) {
  // cube/cube.js is CommonJS (Cube loads it so); the repository's package.json says "module".
  const module = { exports: {} as Record<string, unknown> };
  vm.runInNewContext(readFileSync(path, 'utf8'), { module, exports: module.exports, require: createRequire(path), process: { env } }, { filename: path });
  return module.exports as {
    schemaPath: string;
    preAggregationsSchema: string;
    queryRewrite: (q: Record<string, unknown>, ctx: { securityContext?: Record<string, unknown> }) => Record<string, unknown>;
  };
}

const ws = '11111111-2222-4333-8444-555555555555';

describe('cube/cube.js', () => {
  const config = loadConfig();

  it('points a Cube server at the model and the roll-up schema', () => {
    expect(config.schemaPath).toBe('model');
    expect(config.preAggregationsSchema).toBe('cube_rollups');
  });

  it('adds the workspace filter from the security context', () => {
    const q = config.queryRewrite(
      { measures: ['usage.total_cost'], filters: [{ or: [{ member: 'usage.user_id', operator: 'equals', values: ['x'] }] }] },
      { securityContext: { workspaceId: ws } },
    );
    expect(q.filters).toEqual([
      { or: [{ member: 'usage.user_id', operator: 'equals', values: ['x'] }] },
      { member: 'usage.workspace_id', operator: 'equals', values: [ws] },
    ]);
    expect(config.queryRewrite({ dimensions: ['usage.model'] }, { securityContext: { workspaceId: ws } }).filters).toEqual([
      { member: 'usage.workspace_id', operator: 'equals', values: [ws] },
    ]);
    // Provider bills (the reconciliation's other side) are scoped the same way.
    expect(config.queryRewrite({ measures: ['bills.billed'], dimensions: ['bills.provider'] }, { securityContext: { workspaceId: ws } }).filters).toEqual([
      { member: 'bills.workspace_id', operator: 'equals', values: [ws] },
    ]);
    expect(config.queryRewrite({ measures: ['reconciliation.variance'] }, { securityContext: { workspaceId: ws } }).filters).toEqual([
      { member: 'reconciliation.workspace_id', operator: 'equals', values: [ws] },
    ]);
    expect(config.queryRewrite({ measures: ['economics.margin'], dimensions: ['economics.customer_id'] }, { securityContext: { workspaceId: ws } }).filters).toEqual([
      { member: 'economics.workspace_id', operator: 'equals', values: [ws] },
    ]);
  });

  it('refuses queries without a workspace, on hidden members or on the private cube', () => {
    const rewrite = (q: Record<string, unknown>, sc: Record<string, unknown> = { workspaceId: ws }) => () => config.queryRewrite(q, { securityContext: sc });
    expect(rewrite({ measures: ['usage.calls'] }, {})).toThrow(/workspaceId/);
    expect(rewrite({ measures: ['usage.calls'], filters: [{ and: [{ member: 'usage.workspace_id', operator: 'equals', values: ['x'] }] }] })).toThrow(/usage\.workspace_id/);
    expect(rewrite({ measures: ['usage_events.total_cost'] })).toThrow(/usage_events\.total_cost/);
    expect(rewrite({ measures: ['provider_bills.billed'] })).toThrow(/provider_bills\.billed/);
    expect(rewrite({ measures: ['bill_reconciliation.billed'] })).toThrow(/bill_reconciliation\.billed/);
    expect(rewrite({ measures: ['allocations.margin'] })).toThrow(/allocations\.margin/);
    expect(rewrite({ measures: ['bills.billed'], dimensions: ['bills.workspace_id'] })).toThrow(/bills\.workspace_id/);
    expect(rewrite({ measures: ['usage.calls'], order: [['usage.workspace_id', 'asc']] })).toThrow(/usage\.workspace_id/);
  });

  it('refuses to load without a real CUBEJS_API_SECRET, as the apps refuse theirs', () => {
    for (const bad of [undefined, '', '   ', 'change-me-in-production', 'short-but-random-9f3k', 'a'.repeat(64), `secret-${SECRET}`]) {
      expect(() => loadConfig({ CUBEJS_API_SECRET: bad }), String(bad)).toThrow(/CUBEJS_API_SECRET/);
      expect(secretProblem('CUBEJS_API_SECRET', bad), String(bad)).toBeDefined();
    }
    expect(secretProblem('CUBEJS_API_SECRET', SECRET)).toBeUndefined();
    expect(() => loadConfig({ CUBEJS_API_SECRET: SECRET })).not.toThrow();
  });

  it('allows only the query keys, filter keys and operators of the semantic layer (cube/security.json)', () => {
    const rewrite = (q: Record<string, unknown>) => () => config.queryRewrite(q, { securityContext: { workspaceId: ws } });
    const filter = (f: Record<string, unknown>) => rewrite({ measures: ['usage.calls'], filters: [f] });
    expect(rewrite({ measures: ['usage.calls'], renewQuery: true })).toThrow(/renewQuery/);
    expect(rewrite({ measures: ['usage.calls'], timeDimensions: [{ dimension: 'usage.occurred_at', compareDateRange: ['x'] }] })).toThrow(/compareDateRange/);
    expect(filter({ member: 'usage.model', operator: 'like', values: ['%'] })).toThrow(/operator/);
    expect(filter({ member: 'usage.model', operator: 'equals', values: ['x'], sql: '1=1' })).toThrow(/sql/);
    expect(filter({ or: [{ member: 'usage.model', operator: 'equals', values: ['x'] }], and: [] })).toThrow(/or/);
    for (const operator of QUERY_POLICY.operators) {
      expect(filter({ member: 'usage.model', operator, values: ['x'] }), operator).not.toThrow();
    }
    for (const key of ['limit', 'offset', 'timezone', 'total', 'ungrouped']) {
      expect(rewrite({ measures: ['usage.calls'], [key]: key === 'timezone' ? 'UTC' : 1 }), key).not.toThrow();
    }
  });
});
