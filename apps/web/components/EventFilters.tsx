'use client';
import { useRouter } from 'next/navigation';
import { COMPARE, type Filter, type TimeRange, filterParam, rangeSearch } from '@/lib/query-state';
import { FilterBar, type MemberOption } from './FilterBar';
import { RangePicker } from './RangePicker';

/** The event log's filters and time range (the one range picker), kept in the URL. */
export function EventFilters({ filters, range, dimensions, compare = false }: { filters: Filter[]; range: TimeRange; dimensions: MemberOption[]; compare?: boolean }) {
  const router = useRouter();
  const go = (f: Filter[]) => {
    const q = new URLSearchParams(rangeSearch(range));
    for (const x of f) q.append('f', filterParam(x));
    if (compare) q.set('compare', COMPARE);
    router.push(`/events?${q}`);
  };
  return (
    <div className="panel">
      <RangePicker path="/events" range={range} compare={compare} extra={{ f: filters.map(filterParam) }} />
      <div className="toolbar"><FilterBar filters={filters} dimensions={dimensions} onChange={go} /></div>
    </div>
  );
}
