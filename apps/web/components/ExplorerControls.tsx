'use client';
// The explorer's controls: every change rewrites the URL (the page renders from it).
import { useRouter } from 'next/navigation';
import { type ExploreState, GRANULARITIES, exploreQuery } from '@/lib/query-state';
import { FilterBar, type MemberOption } from './FilterBar';
import { RangePicker } from './RangePicker';

export function ExplorerControls({ state, measures, dimensions }: { state: ExploreState; measures: MemberOption[]; dimensions: MemberOption[] }) {
  const router = useRouter();
  const go = (patch: Partial<ExploreState>) => router.push(`/explore?${exploreQuery({ ...state, ...patch })}`);
  const title = (list: MemberOption[], name: string) => list.find((m) => m.name === name)?.title ?? name;
  // The range picker's links and forms keep the rest of the view (it drops range and compare itself).
  const extra: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(exploreQuery(state))) (extra[k] ??= []).push(v);

  return (
    <div className="panel" style={{ marginBottom: 16 }}>
      <RangePicker path="/explore" range={state.range} compare={state.compare} extra={extra} />
      <div className="toolbar">
        <fieldset className="field measures" aria-label="Measures">
          <legend>Measures</legend>
          {/* Checkboxes: a click adds or removes one measure (a multi-select replaced the selection). */}
          {measures.map((m) => (
            <label key={m.name}><input type="checkbox" checked={state.measures.includes(m.name)} disabled={state.measures.length === 1 && state.measures[0] === m.name}
              onChange={(e) => go({ measures: e.target.checked ? [...state.measures, m.name] : state.measures.filter((x) => x !== m.name) })} /> {m.title}</label>
          ))}
        </fieldset>
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
        <label>Granularity
          <select aria-label="Granularity" value={state.granularity} onChange={(e) => go({ granularity: e.target.value as ExploreState['granularity'] })}>
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
