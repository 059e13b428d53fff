// Explorer: measures, segments to any depth (the API's breakdown tree), time range,
// granularity and filters, all from the URL; a chart, the pivot table, exports and embeds.
import { ApiErrors } from '@/components/ApiErrors';
import { Suspense } from 'react';
import { Chart, PaintMark } from '@/components/Chart';
import { EmbedShareIfAllowed } from '@/components/EmbedShareIfAllowed';
import { ExplorerControls } from '@/components/ExplorerControls';
import { PivotTable } from '@/components/PivotTable';
import { gql } from '@/lib/api';
import { displayCurrency, formatTags } from '@/lib/format';
import { type Node, type Timeseries, asTree, periodLabel, seriesChart } from '@/lib/breakdown';
import { ExploreDocument, ExploreMetaDocument, type ExploreMetaQuery, ExploreTimeseriesDocument } from '@/lib/graphql/operations';
import { type ExploreState, type SearchParams, WORKSPACE_SEGMENT, apiFilters, parseExplore, previousRange, workspaceSegment } from '@/lib/query-state';
import { allows, getMe } from '@/lib/me';
import { SaveView } from '@/components/SaveView';
import { stateOfExplore } from '@/lib/views';
import type { EmbedSpec } from '@/app/embed-actions';

type Member = Pick<ExploreMetaQuery['meta']['measures'][number], 'name' | 'shortTitle'>;

/** Series of the chart: one per top value of the first segment (at most 8), else the total. */
const MAX_SERIES = 8;

export default async function Explore({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const state = parseExplore(await searchParams);
  // Segmented by workspace across the organization: the API's `workspaces` argument puts that level on top.
  const segment = workspaceSegment(state);
  const filters = apiFilters(segment.filters);
  // One document for any number of segments (graphql/operations/explore.graphql).
  const breakdown = (range: ExploreState['range'] & { previous?: boolean }) => gql(ExploreDocument, {
    m: state.measures, by: segment.by, f: filters, r: range, limit: state.limit, w: segment.workspaces,
  });
  const [res, meta, before, me] = await Promise.all([
    breakdown(state.range),
    gql(ExploreMetaDocument),
    state.compare ? breakdown(previousRange(state.range)) : null,
    getMe(),
  ]);
  // Short titles ("Calls", not "Usage Calls"): every member belongs to the one usage view.
  const short = (m: Member) => ({ name: m.name, title: m.shortTitle });
  const measureOptions = meta.ok ? meta.data.meta.measures.map(short) : [];
  // Workspace is offered to whoever belongs to more than one workspace of the organization.
  const inOrganization = (me?.workspaces ?? []).filter((w) => w.organizationId === me?.organizationId).length;
  const dimensionOptions = [
    ...(inOrganization > 1 ? [{ name: WORKSPACE_SEGMENT, title: 'Workspace (organization)' }] : []),
    ...(meta.ok ? meta.data.meta.dimensions.filter((d) => d.type !== 'time').map(short) : []),
  ];
  const controls = <ExplorerControls state={state} measures={measureOptions} dimensions={dimensionOptions} />;
  // A view across workspaces is not one workspace's to save (as with embeds).
  const saveable = allows(me, 'views:manage') && segment.workspaces === null;
  if (!res.ok) return <><h2>Explorer</h2>{controls}<ApiErrors errors={res.errors} /></>;

  const root = asTree(res.data.breakdown);
  const period = res.data.breakdown.period;
  const title = (name: string) => measureOptions.find((m) => m.name === name)?.title ?? name;
  // The chart draws the first measure that is a quantity: a time (`last_event_at`) has no bar height.
  const isTime = (name: string) => meta.ok && meta.data.meta.measures.some((m) => m.name === name && m.type === 'time');
  const chartMeasure = state.measures.find((m) => !isTime(m) && !/_at$/.test(m));
  return (
    <>
      <h2>Explorer</h2>
      {controls}
      {saveable && <SaveView state={stateOfExplore(state, 'timeseries')} />}
      {period && <p className="muted" data-testid="explore-period" data-partial={String(period.partial)}>{periodLabel(period)}
        {before?.ok && before.data.breakdown.period && <span data-testid="explore-previous-period"> · compared with {periodLabel(before.data.breakdown.period)}</span>}</p>}
      {before && !before.ok && <ApiErrors errors={before.errors} />}
      <Suspense fallback={<div className="skeleton" style={{ height: 340 }} role="status" aria-busy="true" aria-label="Loading the chart" />}>
        {chartMeasure && <ExploreChart state={state} root={root} measure={chartMeasure} title={title(chartMeasure)} />}
      </Suspense>
      <PivotTable root={root} by={segment.levels} filters={state.filters} range={state.range} initialSort={state.sort}
        measures={state.measures.map((m) => ({ name: m, title: title(m) }))} previous={before?.ok ? asTree(before.data.breakdown) : null} currency={displayCurrency()} />
      <PaintMark id="explore-pivot" />
    </>
  );
}

/** The chart streams in after the table: one series per top value of the first segment. */
async function ExploreChart({ state, root, measure, title }: { state: ExploreState; root: Node; measure: string; title: string }) {
  const segment = workspaceSegment(state);
  const filters = apiFilters(segment.filters);
  const first = segment.levels[0];
  const topValues = first ? root.children.filter((c) => !c.other && c.value !== null).slice(0, MAX_SERIES).map((c) => c.value!) : [];
  // By workspace: one series per workspace asked for (each workspace's own timeseries, put side by side by the API).
  const across = segment.workspaces !== null;
  const chartFilters = !across && first && topValues.length ? [...filters, { member: first, operator: 'equals' as const, values: topValues }] : filters;
  const ts = await gql(ExploreTimeseriesDocument, {
    m: [measure], g: state.granularity, by: first && !across ? [first] : [], f: chartFilters, r: state.range, w: across ? topValues : null,
  });
  const chartTitle = `${title} by ${state.granularity}${first ? `, top ${topValues.length} ${first}` : ''}`;
  const spec: EmbedSpec = {
    kind: 'timeseries', title: chartTitle, measures: [measure], by: first ? [first] : [], filters: chartFilters,
    timeRange: state.range, granularity: state.granularity,
  };
  return (
    <section className="panel" style={{ marginBottom: 16 }}>
      <h3>{chartTitle}</h3>
      {ts.ok ? <Chart id="explore-chart" label={chartTitle} money={/cost/.test(measure)} spec={seriesChart(first === 'tags' ? tagSeries(ts.data.timeseries) : ts.data.timeseries, measure, 'bar')} /> : <ApiErrors errors={ts.errors} />}
      {/* An embed shows one workspace's data: a view across workspaces is not shared as one. */}
      {!across && <EmbedShareIfAllowed spec={spec} />}
    </section>
  );
}

/** Series over the tags dimension named by their `key=value` pairs, not their JSON. */
function tagSeries(ts: Timeseries): Timeseries {
  return { ...ts, series: ts.series.map((s) => ({ ...s, label: s.label && s.key[0]?.value ? formatTags(s.key[0].value) : s.label })) };
}
