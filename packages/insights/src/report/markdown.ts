// The morning report as Markdown: headings and bullet lists only (no tables, so
// chat tools render it too), ASCII only, like alert messages.
import { Decimal } from 'decimal.js';
import type { MorningFigures } from './figures.ts';

/** Whole amounts to the cent; amounts under 1 keep up to 4 decimals (a session can cost a fraction of a cent). */
export function money(currency: string, v: string): string {
  const d = new Decimal(v);
  const shown = d.abs().gte(1) ? d.toFixed(2) : d.toDecimalPlaces(4).toFixed(Math.max(2, Math.min(4, d.toDecimalPlaces(4).decimalPlaces())));
  return `${currency} ${shown}`;
}

const pct = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`);
const change = (p: number | null, what: string) => (p === null ? `no cost ${what}` : `${p > 0 ? '+' : ''}${p.toFixed(1)}% vs ${what}`);
const CAUSE_NAMES: Record<string, string> = {
  model_choice: 'model choice', context_size: 'context size', subagents: 'subagents', retries: 'retries/errors',
  cache_misses: 'cache misses', call_volume: 'call volume',
};

function section(title: string, lines: string[]): string[] {
  return ['', `## ${title}`, '', ...(lines.length ? lines : ['None.'])];
}

/** variance / billed as a percent (the exact share stays in the figures). */
export const varianceShare = (share: string | null) => (share === null ? 'n/a' : `${new Decimal(share).times(100).toFixed(1)}%`);
/** margin / revenue as a percent; n/a without revenue. */
export const marginShare = (margin: string, revenue: string) => (new Decimal(revenue).isZero() ? 'n/a' : `${new Decimal(margin).div(revenue).times(100).toFixed(1)}%`);

function economicsLines(f: MorningFigures, m: (v: string) => string): string[] {
  const recon = f.reconciliation;
  const line = (label: string, x: NonNullable<NonNullable<MorningFigures['reconciliation']>['yesterday']>) =>
    `- **${label}** (${x.from === x.to ? x.from : `${x.from} to ${x.to}`}): billed ${m(x.billed)}, tracked ${m(x.tracked)}, variance ${m(x.variance)} (${varianceShare(x.varianceShare)} of the bill); unattributed ${m(x.unattributed)}`;
  const margin = f.margin;
  return [
    ...(recon === undefined ? [] : section('Bill reconciliation (UTC days)', [
      ...(recon.yesterday ? [line('Yesterday', recon.yesterday)] : []),
      ...(recon.monthToDate ? [line('Month to date', recon.monthToDate)] : []),
    ])),
    ...(margin === undefined ? [] : section('Margin (month to date)', margin ? [
      `- **${margin.from} to ${margin.to}:** revenue ${m(margin.revenue)}, true cost ${m(margin.trueCost)} (direct ${m(margin.directCost)} + allocated ${m(margin.allocatedCost)}), margin ${m(margin.margin)} (${marginShare(margin.margin, margin.revenue)})`,
      ...(margin.leastProfitable.length ? ['- Least profitable customers:'] : []),
      ...margin.leastProfitable.map((c) => `  - ${c.customerId}: margin ${m(c.margin)} (revenue ${m(c.revenue)}, true cost ${m(c.trueCost)})`),
    ] : [])),
  ];
}

export function morningMarkdown(f: MorningFigures): string {
  const m = (v: string) => money(f.currency, v);
  const t = f.trend;
  const lines = [
    `# Spendgraph morning report for ${f.forDate} (${f.timezone})`,
    '',
    `- **Yesterday:** ${m(f.yesterday.cost)} over ${f.yesterday.calls} calls (${change(f.yesterday.changePercent, 'the day before')})`,
    `- **Last 7 days** (${f.last7Days.from} to ${f.last7Days.to}): ${m(f.last7Days.cost)} over ${f.last7Days.calls} calls (${change(f.last7Days.changePercent, 'the 7 days before')})`,
    ...section(`Trend over the last ${t.sessions} sessions`, t.sessions ? [
      `- Average ${m(t.averageCost)} per session, median ${m(t.medianCost)}`,
      `- Latest ${t.sessions >> 1} sessions average ${m(t.secondHalfAverage)} vs ${m(t.firstHalfAverage)} before: ${t.direction}${t.changePercent === null ? '' : ` (${t.changePercent > 0 ? '+' : ''}${t.changePercent.toFixed(1)}%)`}`,
    ] : []),
    ...section('Cost by provider and model (last 7 days)', f.providers.flatMap((p) => [
      `- ${p.provider}: ${m(p.cost)} (${pct(p.share)}); yesterday ${m(p.yesterdayCost)}`,
      ...p.models.map((x) => `  - ${x.model}: ${m(x.cost)} (${pct(x.share)})`),
    ])),
    ...section('Top work items (last 7 days)', f.topWorkItems.map((w) => `- ${w.id}: ${m(w.cost)} (${pct(w.share)})`)),
    ...section('Top plans (last 7 days)', f.topPlans.map((p) => `- ${p.id}: ${m(p.cost)} (${pct(p.share)})`)),
    ...section('Anomalies', f.anomalies.map((a) =>
      `- ${a.kind === 'session' ? 'Session' : 'Task'} ${a.subjectId}: ${m(a.cost)}, ${new Decimal(a.ratio).toFixed(1)}x the median of its ${a.peerCount} peers `
      + `(${a.peerDimension} = ${a.peerValue}, median ${m(a.peerMedian)})`
      + (a.causes?.length ? `. Excess ${m(new Decimal(a.cost).minus(a.peerMedian).toFixed())}: ${a.causes.map((c) => `${CAUSE_NAMES[c.cause] ?? c.cause} ${m(c.excess)}`).join(', ')}` : '')
      + (a.cause ? `. Likely cause: ${CAUSE_NAMES[a.cause] ?? a.cause} - ${a.summary}` : ''))),
    ...section('Budgets at risk', f.budgetsAtRisk.map((b) =>
      `- "${b.name}" (${b.mode}, ${b.period}): ${b.currency} ${new Decimal(b.spend).toFixed(2)} of ${new Decimal(b.amount).toFixed(2)} (${b.percentUsed.toFixed(1)}%)`
      + (b.blocking ? ', blocking work' : b.state === 'over' ? ', over the limit' : '')
      + (b.projectedCrossingAt ? `, projected to cross the limit on ${b.projectedCrossingAt.slice(0, 10)}` : ''))),
    ...economicsLines(f, m),
  ];
  return `${lines.join('\n')}\n`;
}
