// A figure's previous-period value and change, under a headline figure or as two table cells
// (lib/compare.ts). The exact previous value and change are in data-previous / data-delta.
import { type Comparison, compare } from '@/lib/compare';
import { formatMeasure } from '@/lib/format';

type Value = string | null | undefined;
interface Props { measure: string; current: Value; previous: Value; activity?: { current: Value; previous: Value }; testId?: string }

function Why({ c }: { c: Comparison }) {
  return c.change.why ? <span role="img" aria-label={c.change.why} title={c.change.why}> ⓘ</span> : null;
}

/** Under a headline figure: `$120.00 previous period · +$12.00 (+11.1%)`. */
export function VsPrevious({ measure, current, previous, activity, testId }: Props) {
  const c = compare(measure, current, previous, activity);
  return (
    <div className="sub vs-previous" data-testid={testId} data-previous={c.previous ?? ''} data-delta={c.delta ?? ''} data-comparable={String(c.change.comparable)} title={c.change.why}>
      {formatMeasure(measure, previous)} previous period · <span data-testid={testId && `${testId}-change`}>{c.text}</span><Why c={c} />
    </div>
  );
}

/** Two cells: the previous period's value, and the change (for a table with a previous and a change column). */
export function PreviousCells({ measure, current, previous, activity }: Omit<Props, 'testId'>) {
  const c = compare(measure, current, previous, activity);
  return (
    <>
      <td className="num" data-previous={c.previous ?? ''} data-value={c.previous ?? ''}>{formatMeasure(measure, previous)}</td>
      <td className="num" data-delta={c.delta ?? ''} data-comparable={String(c.change.comparable)}>{c.text}<Why c={c} /></td>
    </>
  );
}

/** The header cells of PreviousCells. */
export function PreviousHeaders({ title }: { title: string }) {
  return <><th className="num" scope="col">{title}, previous period</th><th className="num" scope="col">{title} change</th></>;
}
