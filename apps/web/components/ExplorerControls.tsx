'use client';
// The explorer's controls: every change rewrites the URL (the page renders from it).
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { type ExploreState, GRANULARITIES, RANGES, type TimeRange, exploreQuery } from '@/lib/query-state';
import { FilterBar, type MemberOption } from './FilterBar';

export function ExplorerControls({ state, measures, dimensions }: { state: ExploreState; measures: MemberOption[]; dimensions: MemberOption[] }) {
  const router = useRouter();
  const go = (patch: Partial<ExploreState>) => router.push(`/explore?${exploreQuery({ ...state, ...patch })}`);
  const title = (list: MemberOption[], name: string) => list.find((m) => m.name === name)?.title ?? name;
  const custom = !!state.range.from;

  return (
    <div className="panel" style={{ marginBottom: 16 }}>
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
        <label>Time range
          <select aria-label="Time range" value={custom ? 'custom' : state.range.relative}
            onChange={(e) => go({ range: e.target.value === 'custom' ? { from: new Date(Date.now() - 6 * 864e5).toISOString().slice(0, 10) } : { relative: e.target.value } })}>
            {RANGES.map((r) => <option key={r} value={r}>{r}</option>)}
            <option value="custom">custom…</option>
          </select>
        </label>
        {custom && <CustomRange key={`${state.range.from}|${state.range.to ?? ''}`} range={state.range} onApply={(range) => go({ range })} />}
        <label>Granularity
          <select aria-label="Granularity" value={state.granularity} onChange={(e) => go({ granularity: e.target.value as ExploreState['granularity'] })}>
            {GRANULARITIES.map((g) => <option key={g}>{g}</option>)}
          </select>
        </label>
        <label className="inline"><input type="checkbox" aria-label="Compare with the previous period" checked={state.compare} onChange={(e) => go({ compare: e.target.checked })} /> vs previous period</label>
        <label>Top N per segment
          <input type="number" aria-label="Top N per segment" min={1} max={1000} defaultValue={state.limit} style={{ width: 80 }}
            onBlur={(e) => Number(e.target.value) !== state.limit && go({ limit: Number(e.target.value) })} />
        </label>
      </div>
      <FilterBar filters={state.filters} dimensions={dimensions} onChange={(filters) => go({ filters })} />
    </div>
  );
}

/** From/To applied on Apply, Enter or leaving a field: typing a date does not reload the page per keystroke. */
function CustomRange({ range, onApply }: { range: TimeRange; onApply: (range: TimeRange) => void }) {
  const [draft, setDraft] = useState({ from: range.from ?? '', to: range.to ?? '' });
  const apply = (e?: FormEvent) => {
    e?.preventDefault();
    if (!draft.from || (draft.from === range.from && (draft.to || undefined) === range.to)) return;
    onApply({ from: draft.from, ...(draft.to ? { to: draft.to } : {}) });
  };
  return (
    <form className="toolbar" style={{ margin: 0 }} onSubmit={apply} onBlur={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && apply()}>
      <label>From <input type="date" aria-label="From" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} /></label>
      <label>To <input type="date" aria-label="To" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} /></label>
      <button type="submit">Apply</button>
    </form>
  );
}
