// A page's time range, the one picker of every page with a range: presets as links, a custom
// From/To as a plain GET form (works before any script runs; applies on submit, not per keystroke)
// and "Compare to previous period" as a toggle button of its own GET form. All of it lives in the
// URL (`range=` or `from=`/`to=`, `compare=previous`); `extra` keeps the page's other parameters.
import Link from 'next/link';
import { COMPARE, RANGES, type TimeRange, rangeName, rangeSearch } from '@/lib/query-state';

type Extra = Record<string, string | string[] | undefined>;

function pairs(extra: Extra): Array<[string, string]> {
  return Object.entries(extra).flatMap(([k, v]) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x])));
}

function Hidden({ fields }: { fields: Array<[string, string]> }) {
  return <>{fields.map(([k, v], i) => <input key={`${k}-${i}`} type="hidden" name={k} value={v} />)}</>;
}

const title = (r: string) => r[0]!.toUpperCase() + r.slice(1);

export function RangePicker({ path, range, extra = {}, compare, presets = RANGES, custom = true }: {
  path: string; range: TimeRange; /** The page's other URL parameters (kept by every link and form). */ extra?: Extra;
  /** Whether the page compares with the previous period; undefined: the page offers no comparison. */ compare?: boolean;
  presets?: readonly string[]; /** Offer From/To dates (a page whose figures are per month offers whole months only). */ custom?: boolean;
}) {
  const kept = pairs(extra).filter(([k]) => !['range', 'from', 'to', 'compare'].includes(k));
  const withCompare = (on: boolean | undefined): Array<[string, string]> => (on ? [...kept, ['compare', COMPARE]] : kept);
  const href = (r: TimeRange) => `${path}?${new URLSearchParams([...withCompare(compare), ...new URLSearchParams(rangeSearch(r))])}`;
  const rangeFields = [...new URLSearchParams(rangeSearch(range))];
  return (
    <div className="toolbar range-picker" data-testid="range-picker" data-range={rangeName(range)} data-compare={String(!!compare)} style={{ marginBottom: 8 }}>
      <nav aria-label="Period presets" className="chips">
        {presets.map((r) => {
          const current = !range.from && range.relative === r;
          return <Link key={r} className="chip" style={{ paddingRight: 10, fontWeight: current ? 700 : 400 }} href={href({ relative: r })} aria-current={current ? 'page' : undefined}>{title(r)}</Link>;
        })}
      </nav>
      {custom && (
        <form method="get" action={path} className="chips" aria-label="Custom period">
          <Hidden fields={withCompare(compare)} />
          <label>From <input type="date" name="from" aria-label="From" required defaultValue={range.from} /></label>
          <label>To <input type="date" name="to" aria-label="To" defaultValue={range.to} /></label>
          <button type="submit">Apply</button>
        </form>
      )}
      {compare !== undefined && (
        <form method="get" action={path} aria-label="Comparison">
          <Hidden fields={[...kept, ...rangeFields]} />
          {/* A toggle: pressed, it submits without `compare`. */}
          <button type="submit" name={compare ? undefined : 'compare'} value={compare ? undefined : COMPARE} aria-pressed={compare} data-testid="compare-toggle"
            className={compare ? 'chip active' : 'chip'}>Compare to previous period</button>
        </form>
      )}
    </div>
  );
}
