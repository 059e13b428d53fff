/** Percent of a budget used, as a bar with its number (color by state). */
export function UsageBar({ percent, state }: { percent: number; state: string }) {
  return (
    <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
      <div className={`bar ${state}`} role="meter" aria-valuenow={Math.round(percent)} aria-valuemin={0} aria-valuemax={100} aria-label="Percent used">
        <span style={{ width: `${Math.min(100, percent)}%` }} />
      </div>
      <span className="num">{percent.toFixed(1)}%</span>
    </div>
  );
}
