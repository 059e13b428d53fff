// The organization's FOCUS export (issue 24): the FOCUS rows of every workspace of the caller's
// organization where the caller may run exports (organizationReach decides; a key: its own), one
// section per workspace in slug order. Each section is that workspace's own FOCUS table
// (focus.ts): SubAccountId/Name name the workspace; the billing account becomes the organization.
import { findOrganization } from '@spendgraph/db';
import type { SemanticContext } from '@spendgraph/semantic';
import type { ReachedWorkspace } from '../authz.ts';
import { focusTable } from './focus.ts';
import type { ExportRequest } from './request.ts';
import type { ExportRow, Table, TableDeps } from './tables.ts';

const UNPRICED = 'x-spendgraph-unpriced-calls';

export async function organizationFocusTable(
  deps: TableDeps, organizationId: string, workspaces: readonly ReachedWorkspace[], restriction: SemanticContext['restriction'], req: ExportRequest,
): Promise<Table> {
  const organization = await findOrganization(deps.pool, organizationId);
  // Every section is opened (its arguments checked) before the first byte is sent.
  const sections = await Promise.all(workspaces.map((ws) => focusTable(deps, { workspaceId: ws.id, restriction }, req)));
  const account = (row: ExportRow): ExportRow => ({
    ...row,
    ...('BillingAccountId' in row ? { BillingAccountId: organization?.id ?? organizationId } : {}),
    ...('BillingAccountName' in row ? { BillingAccountName: organization?.name ?? null } : {}),
  });
  async function* rows() {
    for (const section of sections) for await (const batch of section.rows) yield batch.map(account);
  }
  const unpriced = sections.reduce((n, s) => n + Number(s.headers?.[UNPRICED] ?? 0), 0);
  return {
    columns: sections[0]?.columns ?? [],
    rows: rows(),
    headers: { [UNPRICED]: String(unpriced), 'x-spendgraph-workspaces': workspaces.map((w) => w.slug).join(',') },
    close: async () => { await Promise.all(sections.map((s) => s.close?.())); },
  };
}
