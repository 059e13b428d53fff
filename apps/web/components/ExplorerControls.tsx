'use client';
// The explorer's controls: every change rewrites the URL (the page renders from it).
import { useRouter } from 'next/navigation';
import { type ExploreState, GRANULARITIES, RANGES, exploreQuery } from '@/lib/query-state';
import { FilterBar, type MemberOption } from './FilterBar';

export function ExplorerControls({ state, measures, dimensions }: { state: ExploreState; measures: MemberOption[]; dimensions: MemberOption[] }) {
  const router = useRouter();
  const go = (patch: Partial<ExploreState>) => router.push(`/explore?${exploreQuery({ ...state, ...patch })}`);
  const title = (list: MemberOption[], name: string) => list.find((m) => m.name === name)?.title ?? name;
  const custom = !!state.range.from;

  return (
    <div className="panel" style={{ marginBottom: 16 }}>
      <div className="toolbar">
        <label>Measures
          <select multiple size={4} aria-label="Measures" value={state.measures}
            onChange={(e) => go({ measures: [...e.target.selectedOptions].map((o) => o.value) })}>
            {measures.map((m) => <option key={m.name} value={m.name}>{m.title}</option>)}
          </select>
        </label>
        <div className="field">Segments (outer to inner)
          <div className="chips" aria-label="Segments">
            {state.by.map((d, i) => (
              <span className="chip" key={d}>{i + 1}. {title(dimensions, d)}
                <button type="button" aria-label={`Remove segment ${title(dimensions, d)}`} onClick={() => go({ by: state.by.filter((x) => x !== d) })}>×</button>
              </span>
            ))}
            <select aria-label="Add segment" value="" onChange={(e) => e.target.value && go({ by: [...state.by, e.target.value] })}>
              <option value="">{state.by.length ? '+ segment by…' : '+ group by…'}</option>
              {dimensions.filter((d) => !state.by.includes(d.name)).map((d) => <option key={d.name} value={d.name}>{d.title}</option>)}
            </select>
          </div>
        </div>
        <label>Time range
          <select aria-label="Time range" value={custom ? 'custom' : state.range.relative}
            onChange={(e) => go({ range: e.target.value === 'custom' ? { from: new Date(Date.now() - 6 * 864e5).toISOString().slice(0, 10) } : { relative: e.target.value } })}>
            {RANGES.map((r) => <option key={r} value={r}>{r}</option>)}
            <option value="custom">custom…</option>
          </select>
        </label>
        {custom && <>
          <label>From <input type="date" aria-label="From" value={state.range.from} onChange={(e) => go({ range: { ...state.range, from: e.target.value } })} /></label>
          <label>To <input type="date" aria-label="To" value={state.range.to ?? ''} onChange={(e) => go({ range: { ...state.range, to: e.target.value || undefined } })} /></label>
        </>}
        <label>Granularity
          <select aria-label="Granularity" value={state.granularity} onChange={(e) => go({ granularity: e.target.value })}>
            {GRANULARITIES.map((g) => <option key={g}>{g}</option>)}
          </select>
        </label>
        <label>Top N per segment
          <input type="number" aria-label="Top N per segment" min={1} max={1000} defaultValue={state.limit} style={{ width: 80 }}
            onBlur={(e) => Number(e.target.value) !== state.limit && go({ limit: Number(e.target.value) })} />
        </label>
      </div>
      <FilterBar filters={state.filters} dimensions={dimensions} onChange={(filters) => go({ filters })} />
    </div>
  );
}
