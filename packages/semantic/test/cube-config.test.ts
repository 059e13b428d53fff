// cube/cube.js (for a real Cube server) must scope queries like the in-process layer.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const path = fileURLToPath(new URL('../../../cube/cube.js', import.meta.url));

function loadConfig() {
  // cube/cube.js is CommonJS (Cube loads it so); the repository's package.json says "module".
  const module = { exports: {} as Record<string, unknown> };
  vm.runInNewContext(readFileSync(path, 'utf8'), { module, exports: module.exports, require: createRequire(path), process }, { filename: path });
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
  });

  it('refuses queries without a workspace, on hidden members or on the private cube', () => {
    const rewrite = (q: Record<string, unknown>, sc: Record<string, unknown> = { workspaceId: ws }) => () => config.queryRewrite(q, { securityContext: sc });
    expect(rewrite({ measures: ['usage.calls'] }, {})).toThrow(/workspaceId/);
    expect(rewrite({ measures: ['usage.calls'], filters: [{ and: [{ member: 'usage.workspace_id', operator: 'equals', values: ['x'] }] }] })).toThrow(/usage\.workspace_id/);
    expect(rewrite({ measures: ['usage_events.total_cost'] })).toThrow(/usage_events\.total_cost/);
    expect(rewrite({ measures: ['usage.calls'], order: [['usage.workspace_id', 'asc']] })).toThrow(/usage\.workspace_id/);
  });
});
