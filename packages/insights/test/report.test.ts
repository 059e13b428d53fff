// The morning report of the fixture's workspace, written at 07:00 UTC on Oct 11:
// every figure is computed here by hand from fixture.ts.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { insertAlertChannel, insertBudget, listReportDeliveries, listReports } from '@spendgraph/db';
import { evaluateBudgets, parseBudget } from '@spendgraph/budgets';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { buildMorningReport, morningReportRepeat, reportDate, writeMorningReport } from '../src/index.ts';
import { type Platform, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';
import { dayOfSessions, ingest, otherDays } from './fixture.ts';

let p: Platform;
let semantic: SemanticLayer;
let ws: { workspaceId: string; key: string };

const AT = new Date('2026-10-11T07:00:00Z');

async function budget(workspaceId: string, name: string, amount: string, thresholds?: number[]) {
  const parsed = parseBudget({ name, scope: [{ member: 'agent', values: ['coder'] }], period: 'monthly', amount, ...(thresholds ? { thresholds } : {}) });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return insertBudget(p.pool, workspaceId, parsed.fields);
}

beforeAll(async () => {
  p = await startPlatform();
  semantic = await createSemanticLayer({ databaseUrl: inject('databaseUrl') });
  ws = await workspaceWithKey(p.pool);
  await ingest(p, ws, [...dayOfSessions(), ...otherDays()]);
  // Coder's October: 20.90 less the explorer's 1.50 = 19.40; 77.6% of 25, 1.9% of 1000.
  await budget(ws.workspaceId, 'Coder, monthly', '25');
  await budget(ws.workspaceId, 'Roomy', '1000');
  // 9.7% of 200 with a 5% threshold: in warning, far from its limit (the budgets page says warning).
  await budget(ws.workspaceId, 'Coder, early warning', '200', [5]);
  await evaluateBudgets({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, now: new Date('2026-10-11T06:00:00Z') });
});
afterAll(async () => {
  await semantic?.close();
  await p?.stop();
});

describe('the morning report', () => {
  it('reports on the day before, at the configured local time', () => {
    expect(reportDate(AT, 'UTC')).toBe('2026-10-10');
    expect(reportDate(new Date('2026-10-11T03:00:00Z'), 'America/New_York')).toBe('2026-10-09');
    expect(morningReportRepeat({ time: '07:30', timezone: 'Europe/Berlin' })).toEqual({ pattern: '30 7 * * *', tz: 'Europe/Berlin' });
  });

  it('holds the figures of the fixture', async () => {
    const { figures: f, markdown } = await buildMorningReport({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, at: AT });
    expect(f.yesterday).toEqual({ cost: '20.9', calls: '31', previousCost: '2', changePercent: 945 });
    expect(f.last7Days).toEqual({ cost: '26.9', calls: '33', previousCost: '10', changePercent: 169, from: '2026-10-04', to: '2026-10-10' });
    // 15 sessions, oldest first: 10, 4, 2, seven at 1, 1.90, four at 3.
    expect(f.trend).toMatchObject({
      sessions: 15, averageCost: '2.46', medianCost: '1.9', firstHalfAverage: '2.857143', secondHalfAverage: '2.271429',
      changePercent: -20.5, direction: 'falling',
    });
    expect(f.trend.costs.slice(0, 3)).toEqual([{ sessionId: 'prev-1', cost: '10' }, { sessionId: 'g-1', cost: '4' }, { sessionId: 'old-1', cost: '2' }]);
    expect(f.providers).toEqual([
      { id: 'anthropic', provider: 'anthropic', cost: '20.9', share: 0.777, yesterdayCost: '20.9', models: [
        { id: 'claude-sonnet-4-5', model: 'claude-sonnet-4-5', cost: '17.9', share: 0.6654 },
        { id: 'claude-opus-4-1', model: 'claude-opus-4-1', cost: '3', share: 0.1115 },
      ] },
      { id: 'google', provider: 'google', cost: '4', share: 0.1487, yesterdayCost: '0', models: [{ id: 'gemini-2.5-pro', model: 'gemini-2.5-pro', cost: '4', share: 0.1487 }] },
      { id: 'openai', provider: 'openai', cost: '2', share: 0.0743, yesterdayCost: '0', models: [{ id: 'gpt-4o', model: 'gpt-4o', cost: '2', share: 0.0743 }] },
    ]);
    // A call shared by both counts half in each (7 + 5 of 26.90, not 9 + 7).
    expect(f.topWorkItems).toEqual([{ id: 'WI-7', cost: '7', share: 0.2602 }, { id: 'WI-8', cost: '5', share: 0.1859 }]);
    expect(f.topPlans).toEqual([{ id: 'plan-A', cost: '6', share: 0.223 }, { id: 'plan-B', cost: '1', share: 0.0372 }]);
    expect(f.anomalies.map((a) => [a.subjectId, a.cause]).sort()).toEqual([
      ['T-ctx-1', 'context_size'], ['T-err-1', 'retries'], ['T-opus-1', 'model_choice'], ['T-sub-1', 'subagents'],
      ['ctx-1', 'context_size'], ['err-1', 'retries'], ['opus-1', 'model_choice'], ['sub-1', 'subagents'],
    ]);
    // The budgets page's test of "at risk" (BudgetStanding.atRisk): every budget in warning is listed.
    expect(f.budgetsAtRisk).toEqual([
      expect.objectContaining({ name: 'Coder, monthly', spend: '19.4', amount: '25', percentUsed: 77.6, state: 'warning' }),
      expect.objectContaining({ name: 'Coder, early warning', spend: '19.4', amount: '200', percentUsed: 9.7, state: 'warning', projectedCrossingAt: null }),
    ]);

    expect(markdown).toContain('# Spendgraph morning report for 2026-10-10 (UTC)');
    expect(markdown).toContain('- **Yesterday:** USD 20.90 over 31 calls (+945.0% vs the day before)');
    expect(markdown).toContain('- **Last 7 days** (2026-10-04 to 2026-10-10): USD 26.90 over 33 calls (+169.0% vs the 7 days before)');
    expect(markdown).toContain('- Latest 7 sessions average USD 2.27 vs USD 2.86 before: falling (-20.5%)');
    expect(markdown).toContain('- anthropic: USD 20.90 (77.7%); yesterday USD 20.90\n  - claude-sonnet-4-5: USD 17.90 (66.5%)\n  - claude-opus-4-1: USD 3.00 (11.2%)');
    expect(markdown).toContain('- WI-7: USD 7.00 (26.0%)');
    expect(markdown).toContain('- plan-A: USD 6.00 (22.3%)');
    expect(markdown).toContain('- Session opus-1: USD 3.00, 3.0x the median of its 12 peers (task_type x agent = bugfix x coder, median USD 1.00). '
      + 'Excess USD 2.00: model choice USD 2.00. Likely cause: model choice - USD 2.00 of the excess from its models (claude-opus-4-1)');
    expect(markdown).toContain('- Session sub-1: USD 3.00, 3.0x the median of its 12 peers (task_type x agent = bugfix x coder, median USD 1.00). '
      + 'Excess USD 2.00: subagents USD 1.26, call volume USD 0.7381.');
    expect(markdown).toContain('- "Coder, monthly" (soft, monthly): USD 19.40 of 25.00 (77.6%)');
    expect(markdown).not.toContain('Roomy');
  });

  it('is stored once per day with a delivery to each workspace-wide channel', async () => {
    const channel = await insertAlertChannel(p.pool, ws.workspaceId, { name: 'ops', type: 'slack', target: 'http://127.0.0.1:9/x', budgetId: null, secret: null });
    const first = await writeMorningReport({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, at: AT });
    expect(first).toMatchObject({ created: true, report: { forDate: '2026-10-10', kind: 'morning', timezone: 'UTC', currency: 'USD' } });
    expect(first.deliveryIds).toHaveLength(1);
    const again = await writeMorningReport({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, at: new Date('2026-10-11T09:00:00Z') });
    expect(again).toMatchObject({ created: false, deliveryIds: [], report: { id: first.report!.id } });
    expect((await listReports(p.pool, ws.workspaceId)).map((r) => r.id)).toEqual([first.report!.id]);
    expect(await listReportDeliveries(p.pool, ws.workspaceId, [first.report!.id])).toEqual([expect.objectContaining({ channelId: channel.id, status: 'pending' })]);
    const stored = (await listReports(p.pool, ws.workspaceId))[0]!;
    expect(stored.figures).toMatchObject({ yesterday: { cost: '20.9' } });
    expect(stored.markdown).toContain('USD 20.90');
    // Another workspace sees none of it.
    const stranger = await workspaceWithKey(p.pool);
    expect(await listReports(p.pool, stranger.workspaceId)).toEqual([]);
    // A workspace with nothing spent in the week gets no report.
    expect(await writeMorningReport({ pool: p.pool, semantic }, { workspaceId: stranger.workspaceId, at: AT })).toEqual({ report: null, created: false, deliveryIds: [] });
    expect(await listReportDeliveries(p.pool, stranger.workspaceId, [first.report!.id])).toEqual([]);
  });
});
