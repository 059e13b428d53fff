// A budget alert as the JSON that webhooks receive and as the text people read
// (Markdown for e-mail, Slack's mrkdwn for Slack). Text is ASCII-only so that
// e-mails stay plain 7-bit and every chat renders it alike.
import { Decimal } from 'decimal.js';
import type { BudgetAlert } from '@spendgraph/db';
import type { Message } from '../channels/index.ts';

export const ALERT_EVENT = 'budget.threshold_crossed';

/** The webhook body. Money stays in the exact decimal strings it is stored with. */
export interface AlertPayload {
  type: typeof ALERT_EVENT;
  alert_id: string;
  workspace_id: string;
  budget: { id: string; name: string };
  /** 'threshold': spend reached `threshold` percent; 'forecast': spend is projected to exceed the amount. */
  kind: BudgetAlert['kind'];
  threshold: number | null;
  spend: string;
  amount: string;
  currency: string;
  percent_used: number;
  period: { key: string; start: string | null; end: string | null };
  projected_spend: string | null;
  projected_crossing_at: string | null;
  /** A plan budget's forecast: the probability (0-1) that the plan's total exceeds the amount. */
  exceed_probability: number | null;
  occurred_at: string;
  summary: string;
}

export function alertPayload(a: BudgetAlert): AlertPayload {
  return {
    type: ALERT_EVENT,
    alert_id: a.id,
    workspace_id: a.workspaceId,
    budget: { id: a.budgetId, name: a.budgetName },
    kind: a.kind,
    threshold: a.threshold,
    spend: a.spend,
    amount: a.amount,
    currency: a.currency,
    percent_used: percentUsed(a).toDecimalPlaces(2).toNumber(),
    period: { key: a.periodKey, start: a.periodStart, end: a.periodEnd },
    projected_spend: a.projectedSpend,
    projected_crossing_at: a.projectedCrossingAt,
    exceed_probability: a.exceedProbability ?? null,
    occurred_at: a.occurredAt,
    summary: headline(a),
  };
}

const money = (v: string) => new Decimal(v).toFixed(2);
const percentUsed = (a: BudgetAlert) => new Decimal(a.spend).div(a.amount).times(100);
const day = (iso: string) => iso.slice(0, 10);
const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** `Budget "X" reached 90%`, or when it is projected to exceed its limit. */
export function headline(a: BudgetAlert): string {
  if (a.kind === 'threshold') return `Budget "${a.budgetName}" reached ${a.threshold}%`;
  const when = a.projectedCrossingAt ? ` on ${day(a.projectedCrossingAt)}` : '';
  if (a.exceedProbability != null) return `Budget "${a.budgetName}" is ${Math.round(a.exceedProbability * 100)}% likely to exceed its limit`;
  return `Budget "${a.budgetName}" is projected to exceed its limit${when}`;
}

/** E-mail subject: the headline and where spend stands. */
export function subject(a: BudgetAlert): string {
  return `[Spendgraph] ${headline(a)} (${a.currency} ${money(a.spend)} of ${money(a.amount)})`;
}

function period(a: BudgetAlert): string {
  if (a.periodStart && a.periodEnd) return `${minute(a.periodStart)} to ${minute(a.periodEnd)}`;
  if (a.periodStart) return `since ${minute(a.periodStart)}`;
  return 'lifetime';
}

export type TextFlavor = 'markdown' | 'slack';

// Slack's mrkdwn bolds with single asterisks and needs &, <, > escaped.
const bold = (s: string, f: TextFlavor) => (f === 'slack' ? `*${s}*` : `**${s}**`);
const escape = (s: string, f: TextFlavor) => (f === 'slack' ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : s);

/** The alert for people, one fact per line. */
export function alertText(a: BudgetAlert, flavor: TextFlavor = 'markdown'): string {
  const lines = [
    bold(escape(headline(a), flavor), flavor),
    '',
    `- Spend: ${a.currency} ${money(a.spend)} of ${money(a.amount)} (${percentUsed(a).toFixed(1)}% used)`,
    `- Period: ${period(a)}`,
  ];
  if (a.projectedSpend !== null) lines.push(`- Projected spend: ${a.currency} ${money(a.projectedSpend)}`);
  if (a.projectedCrossingAt !== null) lines.push(`- Projected to cross the limit: ${minute(a.projectedCrossingAt)}`);
  lines.push(`- Time: ${minute(a.occurredAt)}`);
  return lines.join('\n');
}

/** The alert in the forms its channels take. */
export function alertMessage(a: BudgetAlert): Message {
  return { event: ALERT_EVENT, payload: alertPayload(a), subject: subject(a), text: alertText(a, 'markdown'), slack: alertText(a, 'slack') };
}
