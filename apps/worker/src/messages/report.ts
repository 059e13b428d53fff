// A stored report (the morning report) in the forms its channels take:
//   webhook  {type: 'report.morning', report_id, workspace_id, for_date, timezone, currency,
//            markdown, figures, created_at}, x-spendgraph-event: report.morning
//   slack    the Markdown turned into Slack's mrkdwn
//   email    HTML (tables, bars, links into the web app when WEB_URL is set), the Markdown as its text alternative
import type { Report } from '@spendgraph/db';
import { type MorningFigures, morningHtml } from '@spendgraph/insights';
import type { Message } from '../channels/index.ts';

export const reportEvent = (r: Report) => `report.${r.kind}`;

export function reportPayload(r: Report) {
  return {
    type: reportEvent(r), report_id: r.id, workspace_id: r.workspaceId, for_date: r.forDate, timezone: r.timezone,
    currency: r.currency, markdown: r.markdown, figures: r.figures, created_at: r.createdAt,
  };
}

export function reportSubject(r: Report): string {
  return `[Spendgraph] ${r.kind === 'morning' ? 'Morning report' : 'Report'} for ${r.forDate}`;
}

/** Slack's mrkdwn: headings and **bold** become *bold*; &, <, > are escaped. */
export function toSlack(markdown: string): string {
  return markdown
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/^#{1,6} (.*)$/gm, '*$1*')
    .replace(/\*\*(.+?)\*\*/g, '*$1*');
}

export function reportMessage(r: Report, webUrl?: string): Message {
  const html = r.kind === 'morning' ? morningHtml(r.figures as MorningFigures, { webUrl, reportId: r.id }) : undefined;
  return { event: reportEvent(r), payload: reportPayload(r), subject: reportSubject(r), text: r.markdown, slack: toSlack(r.markdown), ...(html ? { html } : {}) };
}
