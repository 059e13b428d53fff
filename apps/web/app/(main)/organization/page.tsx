// The organization: one overview across the workspaces of the organization the signed-in person
// may read (the API decides which: organizationReach), and the organization's budgets, managed here.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { BudgetForm } from '@/components/BudgetForm';
import { BudgetStandingCells } from '@/components/BudgetStandingCells';
import { Chart } from '@/components/Chart';
import { ConfirmSubmit } from '@/components/ConfirmSubmit';
import { RangePicker } from '@/components/RangePicker';
import { UsageBar } from '@/components/UsageBar';
import { PreviousCells, PreviousHeaders, VsPrevious } from '@/components/VsPrevious';
import { gql } from '@/lib/api';
import { type Budget, scopeText } from '@/lib/budgets';
import { periodLabel } from '@/lib/breakdown';
import { OrganizationDocument, OrganizationTotalsDocument } from '@/lib/graphql/operations';
import { formatCount, formatMoney, formatPercent } from '@/lib/format';
import { allows, getMe } from '@/lib/me';
import { type OrganizationData, organizationBudgetScope, trendChart } from '@/lib/organization';
import { type SearchParams, parseCompare, parseRange, previousRange } from '@/lib/query-state';
import { budgetCommand } from '../budgets/actions';

export default async function Organization({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  const range = parseRange(query);
  const comparing = parseCompare(query);
  const [res, prev] = await Promise.all([gql(OrganizationDocument, { range }), comparing ? gql(OrganizationTotalsDocument, { range: previousRange(range) }) : null]);
  if (!res.ok) return <><h2>Organization</h2><ApiErrors errors={res.errors} /></>;
  if (prev && !prev.ok) return <><h2>Organization</h2><ApiErrors errors={prev.errors} /></>;
  const { organizationOverview: o, organizationBudgets: budgets, organizationReport: report, meta } = res.data;
  const before = prev?.data.organizationOverview;
  const activity = before && { current: String(o.calls), previous: String(before.calls) };
  const me = await getMe();
  const manageable = (me?.workspaces ?? []).filter((w) => w.organizationId === me?.organizationId);
  return (
    <>
      <h2>{o.organization.name} <span className="muted">(organization)</span></h2>
      <RangePicker path="/organization" range={range} compare={comparing} />
      <p className="muted" data-testid="organization-period">{periodLabel(o.period)} · {o.workspaces.length} workspaces you may read{before && <> · compared with {periodLabel(before.period)}</>}</p>
      <div className="kpis">
        <div className="panel kpi" data-testid="org-total" data-value={o.totalCost ?? ''}><div className="label">Spend</div><div className="value">{formatMoney(o.totalCost)}</div>
          {before && <VsPrevious measure="total_cost" current={o.totalCost} previous={before.totalCost} activity={activity} testId="org-total-previous" />}</div>
        <div className="panel kpi" data-testid="org-calls" data-value={o.calls}><div className="label">Calls</div><div className="value">{formatCount(o.calls)}</div>
          {before && <VsPrevious measure="calls" current={String(o.calls)} previous={String(before.calls)} testId="org-calls-previous" />}</div>
      </div>
      <div className="grid">
        <section className="panel" data-testid="org-workspaces">
          <h3>Spend by workspace</h3>
          <table>
            <thead><tr><th scope="col">Workspace</th><th scope="col">Your role</th><th className="num" scope="col">Cost</th>{before && <PreviousHeaders title="Cost" />}<th className="num" scope="col">Share</th><th className="num" scope="col">Calls</th></tr></thead>
            <tbody>{o.workspaces.map((w) => (
              <tr key={w.slug} data-workspace={w.slug}><td>{w.name}</td><td>{w.role ?? 'key'}</td><td className="num" data-value={w.totalCost ?? ''}>{formatMoney(w.totalCost)}</td>
                {before && <PreviousCells measure="total_cost" current={w.totalCost} previous={before.workspaces.find((b) => b.slug === w.slug)?.totalCost} />}
                <td className="num">{formatPercent(w.share)}</td><td className="num">{formatCount(w.calls)}</td></tr>
            ))}</tbody>
          </table>
          <p className="muted"><Link href="/explore?m=total_cost,calls&by=workspace,agent">Explore by workspace →</Link></p>
        </section>
        <section className="panel">
          <h3>Daily spend by workspace</h3>
          <Chart id="org-trend" label="Daily spend by workspace" spec={trendChart(o)} />
        </section>
      </div>
      <div className="grid">
        {([['topAgents', 'Top agents'], ['topModels', 'Top models'], ['topPlans', 'Top plans']] as const).map(([field, title]) => (
          <section className="panel" key={field} data-testid={`org-${field}`}>
            <h3>{title}</h3>
            {o[field].length === 0 ? <p className="empty">No data in this period.</p> : (
              <table><tbody>{o[field].map((g) => (
                <tr key={g.value ?? '∅'}><td>{g.value ?? '(none)'}</td><td className="num" data-value={g.totalCost ?? ''}>{formatMoney(g.totalCost)}</td><td className="num">{formatCount(g.calls)}</td></tr>
              ))}</tbody></table>
            )}
          </section>
        ))}
      </div>
      <section className="panel" data-testid="org-budgets-at-risk" style={{ marginBottom: 16 }}>
        <h3>Budgets at risk everywhere</h3>
        {o.budgetsAtRisk.length === 0 ? <p className="empty">No budget is near its limit.</p> : (
          <table><tbody>{o.budgetsAtRisk.map(({ workspace, budget: b }) => (
            <tr key={b.id} data-budget-id={b.id}><td>{b.name}</td><td>{workspace ?? `organization (${b.organization?.workspaces.join(', ')})`}</td>
              <BudgetStandingCells b={b} /></tr>
          ))}</tbody></table>
        )}
      </section>
      {report.forDate && (
        <details className="panel" style={{ marginBottom: 16 }} data-testid="organization-report">
          <summary>Morning report for {report.forDate}: a section per workspace (Markdown)</summary>
          <pre className="markdown">{report.markdown}</pre>
        </details>
      )}
      <OrganizationBudgets budgets={budgets} manage={allows(me, 'budgets:manage')} />
      {allows(me, 'budgets:manage') && manageable.length > 0 && (
        <BudgetForm dimensions={meta.dimensions.filter((d) => d.type !== 'time')} organization={manageable.map((w) => ({ slug: w.slug, name: w.name }))} />
      )}
    </>
  );
}

function OrganizationBudgets({ budgets, manage }: { budgets: Array<Budget & { organization: OrganizationData['organizationBudgets'][number]['organization'] }>; manage: boolean }) {
  return (
    <section className="panel scroll" style={{ marginBottom: 16 }}>
      <h3>Organization budgets</h3>
      {budgets.length === 0 ? <p className="empty">No organization budget you may read.</p> : (
        <table data-testid="organization-budgets">
          <thead><tr><th scope="col">Name</th><th scope="col">Workspaces</th><th scope="col">Scope</th><th scope="col">Period</th><th scope="col">State</th>
            <th className="num" scope="col">Spend</th><th className="num" scope="col">Amount</th><th scope="col">Used</th><th scope="col">Actions</th></tr></thead>
          <tbody>{budgets.map((b) => (
            <tr key={b.id} data-budget-id={b.id}>
              <td><Link href={`/budgets/${b.id}`}>{b.name}</Link> {b.mode === 'hard' && <span className="badge">hard</span>}</td>
              <td>{organizationBudgetScope(b.organization)}</td><td>{scopeText(b)}</td><td>{b.period}{b.rollingDays ? ` (${b.rollingDays} d)` : ''}</td>
              <td><span className={`badge ${b.state}`}>{b.blocking ? 'blocking' : b.state}</span></td>
              <td className="num" data-value={b.spend}>{formatMoney(b.spend)}</td><td className="num">{formatMoney(b.amount)}</td>
              <td><UsageBar percent={b.percentUsed} state={b.state} /></td>
              <td>{manage && (
                <form action={budgetCommand}><input type="hidden" name="id" value={b.id} /><input type="hidden" name="command" value="deleteBudget" /><input type="hidden" name="return" value="/organization" />
                  <ConfirmSubmit label="Delete" ariaLabel={`Delete budget ${b.name}`} question={`Delete the organization budget “${b.name}”? Its history goes with it; this cannot be undone.`} /></form>
              )}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}
