// The organization's morning report (issue 24): one per organization and date, a section per
// workspace the caller may read (organizationReach decides), each that workspace's stored morning
// report (written by the worker as every day). Nothing is recomputed: the sections are the stored
// reports, and the organization's Markdown is their concatenation under one title.
import { type Pool, type Report, listReports } from '@spendgraph/db';
import type { ReachedWorkspace } from '../authz.ts';
import { argumentError } from './errors.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface OrganizationReportSection { workspace: string; name: string; report: Report | null }

/** A section's Markdown one heading level down, under its workspace's name. */
const section = (s: OrganizationReportSection) =>
  `## ${s.name}\n\n${s.report ? s.report.markdown.replace(/^(#+) /gm, '#$1 ') : '_No report for this date (nothing spent in the week before it)._'}`;

/**
 * The morning report of `forDate` (YYYY-MM-DD; default: the latest date any permitted workspace
 * has one for) for each workspace, in slug order.
 */
export async function organizationReport(pool: Pool, organization: { name: string }, workspaces: readonly ReachedWorkspace[], forDate?: string | null) {
  if (forDate != null && !DATE.test(forDate)) throw argumentError('INVALID_ARGUMENT', 'forDate', `'${forDate}' is not a date (YYYY-MM-DD)`);
  const latest = async (ws: ReachedWorkspace) => (await listReports(pool, ws.id, { kind: 'morning', first: 1 }))[0]?.forDate ?? null;
  const date = forDate ?? (await Promise.all(workspaces.map(latest))).filter((d): d is string => d !== null).sort().at(-1) ?? null;
  const sections: OrganizationReportSection[] = await Promise.all(workspaces.map(async (ws) => ({
    workspace: ws.slug, name: ws.name,
    report: date ? (await listReports(pool, ws.id, { kind: 'morning', from: date, to: date, first: 1 }))[0] ?? null : null,
  })));
  const markdown = date ? [`# ${organization.name}: morning report for ${date}`, ...sections.map(section)].join('\n\n') : '';
  return { forDate: date, markdown, sections };
}
