// Anomaly detection on events stored by the real ingest path, read through the
// real semantic layer, at a chosen moment. Expected figures come from fixture.ts.
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { listAnomalies } from '@spendgraph/db';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { detectAnomalies } from '../src/index.ts';
import { type Platform, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';
import { dayOfSessions, ingest } from './fixture.ts';

let p: Platform;
let semantic: SemanticLayer;
let ws: { workspaceId: string; key: string };
let other: { workspaceId: string; key: string };

const NOW = new Date('2026-10-10T23:00:00Z');
const detect = (workspaceId: string, settings = {}) => detectAnomalies({ pool: p.pool, semantic }, { workspaceId, now: NOW, settings });

beforeAll(async () => {
  p = await startPlatform();
  semantic = await createSemanticLayer({ databaseUrl: inject('databaseUrl') });
  [ws, other] = await Promise.all([workspaceWithKey(p.pool), workspaceWithKey(p.pool)]);
  // The other workspace: the same session ids, every one of them far more expensive.
  const pricier: Array<Record<string, unknown>> = dayOfSessions().map((e) => ({ ...e, cost: new Decimal(e.cost as string).times(100).toFixed() }));
  pricier.push({ ...pricier[0]!, session_id: 'n1', cost: '5000' });
  await Promise.all([ingest(p, ws, dayOfSessions()), ingest(p, other, pricier)]);
});
afterAll(async () => {
  await semantic?.close();
  await p?.stop();
});

describe('sessions costing over 2x the median of their peers', () => {
  it('are flagged with the likely cause; normal ones are not', async () => {
    const result = await detect(ws.workspaceId);
    expect(result).toMatchObject({ workspaces: 1, anomalies: 8, inserted: 8, removed: 0 });
    const sessions = await listAnomalies(p.pool, ws.workspaceId, { kind: 'session' });
    expect(sessions.map((a) => [a.subjectId, a.causes[0]?.cause]).sort()).toEqual([
      ['ctx-1', 'context_size'], ['err-1', 'retries'], ['opus-1', 'model_choice'], ['sub-1', 'subagents'],
    ]);
    for (const a of sessions) {
      expect(a).toMatchObject({ cost: '3', peerMedian: '1', ratio: '3', threshold: '2', currency: 'USD', peerCount: 12,
        windowStart: '2026-10-10T00:00:00.000Z', windowEnd: '2026-10-11T00:00:00.000Z' });
      // Peers share the task type and the main agent (issue 23: not one or the other).
      expect(a).toMatchObject({ peerDimension: 'task_type x agent', peerValue: 'bugfix x coder' });
      // The named causes' dollars add up to the excess over the peer median (one cause each here).
      expect(a.causes.reduce((t, c) => t.plus(c.excess!), new Decimal(0)).toFixed()).toBe('2');
    }
    expect(sessions.map((a) => a.subjectId)).not.toContain('n8'); // USD 1.90: 1.9x the median
  });

  it('carry the evidence of each cause', async () => {
    const [opus] = await listAnomalies(p.pool, ws.workspaceId, { subjectId: 'opus-1', kind: 'session' });
    // Prices per 1k tokens of the window (sonnet's is lowered by ctx-1's cheap cache reads): 2.87x.
    expect(opus!.causes).toEqual([{ cause: 'model_choice', score: 1, excess: '2', summary: expect.stringContaining('claude-opus-4-1'),
      evidence: [{ metric: 'price_per_1k_tokens', value: '0.3571', peerMedian: '0.1245' }] }]);
    expect(opus!.causes[0]!.summary).toMatch(/^USD 2\.00 of the excess from its models/);
    const [ctx] = await listAnomalies(p.pool, ws.workspaceId, { subjectId: 'ctx-1', kind: 'session' });
    expect(ctx!.causes.map((c) => c.cause)).toEqual(['context_size']);
    expect(ctx!.causes[0]!.evidence).toEqual([{ metric: 'prompt_tokens_per_call', value: '15000', peerMedian: '4000' }]);
    const [sub] = await listAnomalies(p.pool, ws.workspaceId, { subjectId: 'sub-1', kind: 'session' });
    expect(sub!.causes.map((c) => c.cause)).toEqual(['subagents', 'call_volume']);
    // Half its cost went to the explorer (ln 2); its coder made 3 calls to the peers' 2 (ln 1.5).
    expect(sub!.causes[0]!.evidence).toEqual([{ metric: 'subagent_cost_share', value: '0.5', peerMedian: '0' }]);
    expect(sub!.causes.map((c) => c.excess)).toEqual(['1.26186', '0.73814']);
    const [err] = await listAnomalies(p.pool, ws.workspaceId, { subjectId: 'err-1', kind: 'session' });
    // Its successful calls are as many as its peers': the failed ones are retries, not call volume.
    expect(err!.causes.map((c) => c.cause)).toEqual(['retries']);
    expect(err!.causes[0]!.evidence).toEqual([{ metric: 'failed_call_cost_share', value: '0.6667', peerMedian: '0' }]);
  });

  it('tasks are compared with the tasks of their type', async () => {
    const tasks = await listAnomalies(p.pool, ws.workspaceId, { kind: 'task' });
    expect(tasks.map((a) => a.subjectId).sort()).toEqual(['T-ctx-1', 'T-err-1', 'T-opus-1', 'T-sub-1']);
  });

  it('a rerun changes nothing; a higher threshold removes them', async () => {
    expect(await detect(ws.workspaceId)).toMatchObject({ anomalies: 8, inserted: 0, removed: 0 });
    expect(await listAnomalies(p.pool, ws.workspaceId)).toHaveLength(8);
    expect(await detect(ws.workspaceId, { threshold: '3' })).toMatchObject({ anomalies: 0, removed: 8 }); // 3x does not exceed 3x
    expect(await detect(ws.workspaceId)).toMatchObject({ anomalies: 8, inserted: 8 });
  });

  it('peer groups never cross workspaces', async () => {
    await detect(other.workspaceId);
    const theirs = await listAnomalies(p.pool, other.workspaceId, { kind: 'session' });
    expect(theirs.map((a) => a.subjectId).sort()).toEqual(['ctx-1', 'err-1', 'n1', 'opus-1', 'sub-1']);
    expect(theirs.every((a) => a.workspaceId === other.workspaceId)).toBe(true);
    const ours = await listAnomalies(p.pool, ws.workspaceId, { kind: 'session' });
    expect(ours.map((a) => [a.subjectId, a.cost, a.peerMedian]).sort()).toEqual([
      ['ctx-1', '3', '1'], ['err-1', '3', '1'], ['opus-1', '3', '1'], ['sub-1', '3', '1'],
    ]);
  });
});
