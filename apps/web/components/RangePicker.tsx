// A page's time range: presets as links, a custom From/To as a plain GET form (works before any
// script runs; applies on submit, not per keystroke). The range lives in the URL.
import Link from 'next/link';
import { RANGES, type TimeRange, rangeSearch } from '@/lib/query-state';

export function RangePicker({ path, range, extra = {} }: { path: string; range: TimeRange; extra?: Record<string, string> }) {
  const href = (r: TimeRange) => `${path}?${new URLSearchParams({ ...extra, ...Object.fromEntries(new URLSearchParams(rangeSearch(r))) })}`;
  return (
    <div className="toolbar" data-testid="range-picker" style={{ marginBottom: 8 }}>
      <nav aria-label="Period presets" className="chips">
        {RANGES.map((r) => {
          const current = !range.from && range.relative === r;
          return <Link key={r} className="chip" style={{ paddingRight: 10, fontWeight: current ? 700 : 400 }} href={href({ relative: r })} aria-current={current ? 'page' : undefined}>{r[0]!.toUpperCase() + r.slice(1)}</Link>;
        })}
      </nav>
      <form method="get" action={path} className="chips" aria-label="Custom period">
        {Object.entries(extra).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
        <label>From <input type="date" name="from" aria-label="From" required defaultValue={range.from} /></label>
        <label>To <input type="date" name="to" aria-label="To" defaultValue={range.to} /></label>
        <button type="submit">Apply</button>
      </form>
    </div>
  );
}
