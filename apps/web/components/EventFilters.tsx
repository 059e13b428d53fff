'use client';
import { useRouter } from 'next/navigation';
import { type Filter, RANGES, type TimeRange, filterParam } from '@/lib/query-state';
import { FilterBar, type MemberOption } from './FilterBar';

/** The event log's filters and time range, kept in the URL. */
export function EventFilters({ filters, range, dimensions }: { filters: Filter[]; range: TimeRange; dimensions: MemberOption[] }) {
  const router = useRouter();
  const go = (f: Filter[], r: TimeRange) => {
    const q = new URLSearchParams();
    if (r.from) { q.set('from', r.from); if (r.to) q.set('to', r.to); } else if (r.relative) q.set('range', r.relative);
    for (const x of f) q.append('f', filterParam(x));
    router.push(`/events?${q}`);
  };
  return (
    <div className="panel toolbar">
      <label>Time range
        <select aria-label="Time range" value={range.from ? 'custom' : range.relative} onChange={(e) => go(filters, { relative: e.target.value })}>
          {range.from && <option value="custom">{range.from} – {range.to ?? 'now'}</option>}
          {RANGES.map((r) => <option key={r}>{r}</option>)}
        </select>
      </label>
      <FilterBar filters={filters} dimensions={dimensions} onChange={(f) => go(f, range)} />
    </div>
  );
}
