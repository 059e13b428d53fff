// The morning report as an HTML e-mail: the same figures as the Markdown (which stays the text
// part and Slack's form), as tables with inline bars (mail clients run no scripts and drop
// <style>), and, when the web app's address is known, links to the report page and the explorer.
import { Decimal } from 'decimal.js';
import { marginShare, money, varianceShare } from './markdown.ts';
import type { MorningFigures } from './figures.ts';

export interface HtmlOptions {
  /** The web app's address (WEB_URL); without it the e-mail has no links. */
  webUrl?: string | undefined;
  /** The stored report's id, for the link to its page. */
  reportId?: string | undefined;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const CAUSES: Record<string, string> = {
  model_choice: 'expensive models', context_size: 'large prompts', subagents: 'subagent work', retries: 'failed calls',
  cache_misses: 'cache misses', call_volume: 'many calls',
};

/** The explorer's URL: measures cost and calls, by `by`, over the 7 days reported, with `filters` (member|operator|value). */
export function explorerPath(f: Pick<MorningFigures, 'last7Days'>, by: string[], filters: string[] = []): string {
  const q = new URLSearchParams({ m: 'total_cost,calls', by: by.join(','), from: f.last7Days.from, to: f.last7Days.to, gran: 'day' });
  for (const x of filters) q.append('f', x);
  return `/explore?${q}`;
}

function link(o: HtmlOptions, path: string, text: string): string {
  return o.webUrl ? `<a href="${escapeHtml(o.webUrl + path)}" style="color:#3657d6">${text}</a>` : text;
}

const bar = (share: number | null) =>
  `<div style="background:#e4e7ec;height:6px;width:120px;border-radius:3px"><div style="background:#4f6ef7;height:6px;border-radius:3px;width:${Math.round(Math.max(0, Math.min(1, share ?? 0)) * 120)}px"></div></div>`;
const pct = (share: number | null) => (share === null ? '' : `${(share * 100).toFixed(1)}%`);
const change = (p: number | null) => (p === null ? 'no cost before' : `${p > 0 ? '+' : ''}${p.toFixed(1)}%`);
const cell = 'padding:4px 8px;border-bottom:1px solid #e4e7ec';
const num = `${cell};text-align:right;white-space:nowrap`;

function table(title: string, head: string[], rows: string[][]): string {
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c, i) => `<td style="${i === 0 ? cell : num}">${c}</td>`).join('')}</tr>`).join('')
    : `<tr><td style="${cell}" colspan="${head.length}">None.</td></tr>`;
  return `<h2 style="font-size:16px;margin:20px 0 6px">${escapeHtml(title)}</h2><table style="border-collapse:collapse;font-size:14px">`
    + `<thead><tr>${head.map((h, i) => `<th style="${i === 0 ? cell : num};text-align:${i === 0 ? 'left' : 'right'}">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

function kpi(label: string, value: string, sub: string): string {
  return `<td style="padding:8px 16px 8px 0;vertical-align:top"><div style="color:#667085;font-size:12px;text-transform:uppercase">${label}</div>`
    + `<div style="font-size:22px;font-weight:600">${value}</div><div style="color:#667085;font-size:12px">${sub}</div></td>`;
}

/** The profitability page's period holding the report's date: written the next day, the 1st is already in the next month. */
function profitabilityPath(forDate: string): string {
  const next = new Date(Date.parse(`${forDate}T00:00:00Z`) + 86_400_000).toISOString();
  return `/profitability?${new URLSearchParams({ period: next.slice(0, 7) === forDate.slice(0, 7) ? 'this month' : 'last month', by: 'customer_id' })}`;
}

/** The reconciliation and margin tables (absent in reports stored before they existed). */
function economicsHtml(f: MorningFigures, o: HtmlOptions, m: (v: string) => string): string {
  const recon = f.reconciliation;
  const reconRows = recon ? ([['Yesterday', recon.yesterday, 7], ['Month to date', recon.monthToDate, 30]] as const).flatMap(([label, x, days]) => (x ? [[
    link(o, `/reconciliation?days=${days}`, escapeHtml(x.from === x.to ? `${label} (${x.from})` : `${label} (${x.from} to ${x.to})`)),
    m(x.billed), m(x.tracked), m(x.variance), varianceShare(x.varianceShare), m(x.unattributed),
  ]] : [])) : [];
  const margin = f.margin;
  const marginRows = margin ? [
    [link(o, profitabilityPath(f.forDate), `<strong>All (${escapeHtml(margin.from)} to ${escapeHtml(margin.to)})</strong>`), m(margin.revenue), m(margin.trueCost), m(margin.margin), marginShare(margin.margin, margin.revenue)],
    ...margin.leastProfitable.map((c) => [`&nbsp;&nbsp;${escapeHtml(c.customerId)}`, m(c.revenue), m(c.trueCost), m(c.margin), marginShare(c.margin, c.revenue)]),
  ] : [];
  return (recon ? table('Bill reconciliation (UTC days)', ['Range', 'Billed', 'Tracked', 'Variance', 'Share', 'Unattributed'], reconRows) : '')
    + (margin !== undefined ? table('Margin, month to date (least profitable customers)', ['Customers', 'Revenue', 'True cost', 'Margin', 'Margin %'], marginRows) : '');
}

export function morningHtml(f: MorningFigures, o: HtmlOptions = {}): string {
  const m = (v: string) => escapeHtml(money(f.currency, v));
  const e = escapeHtml;
  const t = f.trend;
  const providers = f.providers.flatMap((p) => [
    [link(o, explorerPath(f, ['model'], [`provider|equals|${encodeURIComponent(p.provider)}`]), `<strong>${e(p.provider)}</strong>`), m(p.cost), pct(p.share), bar(p.share), m(p.yesterdayCost)],
    ...p.models.map((x) => [`&nbsp;&nbsp;${e(x.model)}`, m(x.cost), pct(x.share), bar(x.share), '']),
  ]);
  const shares = (dimension: string, rows: MorningFigures['topPlans']) =>
    rows.map((w) => [link(o, explorerPath(f, ['model'], [`${dimension}|equals|${encodeURIComponent(w.id)}`]), e(w.id)), m(w.cost), pct(w.share), bar(w.share)]);
  const anomalies = f.anomalies.map((a) => [
    link(o, `/anomalies?${new URLSearchParams({ kind: a.kind, subject: a.subjectId, status: 'all' })}`, `${a.kind} ${e(a.subjectId)}`),
    m(a.cost), `${new Decimal(a.ratio).toFixed(1)}&times;`, m(new Decimal(a.cost).minus(a.peerMedian).toFixed()),
    e((a.causes ?? []).map((c) => `${CAUSES[c.cause] ?? c.cause} ${money(f.currency, c.excess)}`).join(', ') || (a.cause ? CAUSES[a.cause] ?? a.cause : '')),
  ]);
  const budgets = f.budgetsAtRisk.map((b) => [
    link(o, `/budgets/${b.id}`, e(b.name)), e(`${b.currency} ${new Decimal(b.spend).toFixed(2)}`), e(`${b.currency} ${new Decimal(b.amount).toFixed(2)}`), `${b.percentUsed.toFixed(1)}%`,
    e(b.blocking ? 'blocking work' : b.projectedCrossingAt ? `crosses ${b.projectedCrossingAt.slice(0, 10)}` : b.state),
  ]);
  const title = `Spendgraph morning report for ${f.forDate} (${f.timezone})`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${e(title)}</title></head>`
    + `<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#101828;max-width:720px;margin:0 auto;padding:16px">`
    + `<h1 style="font-size:20px">${o.reportId ? link(o, `/reports/${o.reportId}`, e(title)) : e(title)}</h1>`
    + `<table><tr>${kpi('Yesterday', m(f.yesterday.cost), `${e(f.yesterday.calls)} calls, ${change(f.yesterday.changePercent)} vs the day before`)}`
    + `${kpi('Last 7 days', m(f.last7Days.cost), `${e(f.last7Days.calls)} calls, ${change(f.last7Days.changePercent)} vs the 7 days before`)}`
    + `${kpi('Per session', m(t.averageCost), `${t.sessions} sessions, median ${m(t.medianCost)}, ${t.direction}`)}</tr></table>`
    + table('Cost by provider and model (last 7 days)', ['Provider / model', 'Cost', 'Share', '', 'Yesterday'], providers)
    + table('Top work items (last 7 days)', ['Work item', 'Cost', 'Share', ''], shares('work_item', f.topWorkItems))
    + table('Top plans (last 7 days)', ['Plan', 'Cost', 'Share', ''], shares('plan_id', f.topPlans))
    + table('Anomalies', ['Session or task', 'Cost', 'vs peers', 'Excess', 'From'], anomalies)
    + table('Budgets at risk', ['Budget', 'Spend', 'Limit', 'Used', ''], budgets)
    + economicsHtml(f, o, m)
    + (o.webUrl ? `<p style="margin-top:20px">${link(o, explorerPath(f, ['provider', 'model']), 'Open the last 7 days in the explorer')}</p>` : '')
    + '</body></html>';
}
