'use client';
// Filters on any dimension: chips to remove, a small form to add.
import { useState } from 'react';
import { type Filter, OPERATORS } from '@/lib/query-state';

export interface MemberOption { name: string; title: string }

export function FilterBar({ filters, dimensions, onChange }: { filters: Filter[]; dimensions: MemberOption[]; onChange: (filters: Filter[]) => void }) {
  const [draft, setDraft] = useState({ member: '', operator: 'equals', values: '' });
  const title = (name: string) => dimensions.find((m) => m.name === name)?.title ?? name;
  return (
    <div className="field">Filters
      <div className="chips" aria-label="Filters">
        {filters.map((f, i) => (
          <span className="chip" key={i}>{title(f.member)} {f.operator} {f.values.join(', ')}
            <button type="button" aria-label={`Remove filter ${f.member}`} onClick={() => onChange(filters.filter((_, j) => j !== i))}>×</button>
          </span>
        ))}
        <form className="chips" onSubmit={(e) => {
          e.preventDefault();
          if (!draft.member) return;
          onChange([...filters, { member: draft.member, operator: draft.operator, values: draft.values.split(',').map((v) => v.trim()).filter(Boolean) }]);
          setDraft({ member: '', operator: 'equals', values: '' });
        }}>
          <select aria-label="Filter dimension" value={draft.member} onChange={(e) => setDraft({ ...draft, member: e.target.value })}>
            <option value="">dimension…</option>
            {dimensions.map((d) => <option key={d.name} value={d.name}>{d.title}</option>)}
          </select>
          <select aria-label="Filter operator" value={draft.operator} onChange={(e) => setDraft({ ...draft, operator: e.target.value })}>
            {OPERATORS.map((o) => <option key={o}>{o}</option>)}
          </select>
          <input aria-label="Filter values" placeholder="values, comma-separated" value={draft.values} onChange={(e) => setDraft({ ...draft, values: e.target.value })} />
          <button type="submit">Add filter</button>
        </form>
      </div>
    </div>
  );
}
