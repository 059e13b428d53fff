// A bill variance alert as the JSON webhooks receive and the text people read. Money stays in
// the exact decimal strings it is stored with; text is ASCII-only (see alert.ts).
import { Decimal } from 'decimal.js';
import type { BillVarianceAlert } from '@spendgraph/db';
import type { Message } from '../channels/index.ts';

export const VARIANCE_EVENT = 'bill.variance_exceeded';

const percent = (share: string) => new Decimal(share).times(100).toDecimalPlaces(2).toFixed(2);

function headline(a: BillVarianceAlert): string {
  return `${a.provider} billed ${a.currency} ${new Decimal(a.billed).toFixed(2)} on ${a.day}; events tracked ${new Decimal(a.tracked).toFixed(2)} (variance ${percent(a.varianceShare)}%, threshold ${a.threshold}%)`;
}

export function varianceMessage(a: BillVarianceAlert): Message {
  const payload = {
    type: VARIANCE_EVENT, alert_id: a.id, workspace_id: a.workspaceId, day: a.day, provider: a.provider, currency: a.currency,
    billed: a.billed, tracked: a.tracked, variance: a.variance, variance_share: a.varianceShare, threshold_percent: a.threshold,
    occurred_at: a.occurredAt, summary: headline(a),
  };
  const text = (bold: (s: string) => string) => [
    bold('Provider bill differs from tracked spend'), '', `- ${headline(a)}`, `- Unexplained: ${a.currency} ${a.variance}`,
  ].join('\n');
  return {
    event: VARIANCE_EVENT, payload, subject: `[Spendgraph] ${a.provider} bill variance ${percent(a.varianceShare)}% on ${a.day}`,
    text: text((s) => `**${s}**`), slack: text((s) => `*${s}*`),
  };
}
