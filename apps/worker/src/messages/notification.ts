// An alert rule's notification as the JSON webhooks receive and the text people read. Figures stay
// the exact decimal strings they are stored with; text is ASCII-only (see alert.ts).
import type { Notification } from '@spendgraph/db';
import type { Message } from '../channels/index.ts';

export const NOTIFICATION_EVENT = 'alert_rule.fired';

const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');

export function notificationMessage(n: Notification): Message {
  const payload = {
    type: NOTIFICATION_EVENT, notification_id: n.id, workspace_id: n.workspaceId, rule_id: n.ruleId, rule_name: n.ruleName,
    group: n.groupKey, window_start: n.windowStart, window_end: n.windowEnd, value: n.value, threshold: n.threshold,
    detail: n.detail, occurred_at: n.occurredAt, summary: n.title,
  };
  const text = (bold: (s: string) => string) => [
    bold(`Alert rule "${ascii(n.ruleName)}" fired`), '', `- ${ascii(n.title)}`, `- Window: ${n.windowStart} to ${n.windowEnd}`,
  ].join('\n');
  return {
    event: NOTIFICATION_EVENT, payload, subject: `[Spendgraph] ${ascii(n.title)}`, text: text((s) => `**${s}**`), slack: text((s) => `*${s}*`),
  };
}
