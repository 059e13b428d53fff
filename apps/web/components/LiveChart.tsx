'use client';
import { useEffect, useRef, useState } from 'react';
import { type ChartSpec, chartOption, echarts } from '@/lib/echarts';
import { formatCount, formatMoney } from '@/lib/format';
import { THEME_EVENT } from '@/lib/theme';

/** The app's theme (<html data-theme>), followed as it changes. */
function useAppTheme(): 'light' | 'dark' {
  const current = () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');
  const [theme, setTheme] = useState<'light' | 'dark'>(() => (typeof document === 'undefined' ? 'light' : current()));
  useEffect(() => {
    const read = () => setTheme(current());
    read();
    document.addEventListener(THEME_EVENT, read);
    return () => document.removeEventListener(THEME_EVENT, read);
  }, []);
  return theme;
}

/** Each point of a chart as read aloud: `2026-11-03: Total: $12.00`. */
function pointTexts(spec: ChartSpec, money: boolean, currency: string): string[] {
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : money ? formatMoney(v, currency) : formatCount(v));
  if (spec.type === 'pie') return spec.slices.map((s) => `${s.name}: ${fmt(s.value)}`);
  return spec.categories.map((c, i) => `${c}: ${spec.series.map((s) => `${s.name}: ${fmt(s.values[i])}`).join(', ')}`);
}

/**
 * Shows the server's SVG, then draws the same option live in its place. Focused, the arrow keys
 * (Home, End) move through its points: the tooltip shows the point and a live region reads it.
 */
export function LiveChart({ spec, label, money, currency, theme, height, id, svg }: {
  spec: ChartSpec; label: string; money: boolean; currency: string; theme?: 'light' | 'dark'; height: number; id: string; svg: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const live = useRef<ReturnType<typeof echarts.init> | null>(null);
  const [point, setPoint] = useState<number | null>(null);
  const texts = pointTexts(spec, money, currency);
  const app = useAppTheme();
  const drawn = theme ?? app; // an embed's own theme, else the app's
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.innerHTML = '';
    const chart = echarts.init(el, drawn === 'dark' ? 'dark' : undefined, { renderer: 'svg' });
    chart.setOption(chartOption(spec, money, currency));
    live.current = chart;
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => { observer.disconnect(); live.current = null; chart.dispose(); };
  }, [spec, money, currency, drawn]);
  const move = (e: React.KeyboardEvent) => {
    const last = texts.length - 1;
    const at = point ?? -1;
    const next = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: last }[e.key];
    if (next === undefined || last < 0) return;
    e.preventDefault();
    const i = Math.min(last, Math.max(0, next));
    setPoint(i);
    // Horizontal bars are drawn largest first from the top: their data runs the other way.
    const dataIndex = spec.type !== 'pie' && spec.horizontal ? last - i : i;
    live.current?.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex });
  };
  return (
    <>
      <div ref={ref} role="img" aria-label={`${label} (arrow keys: its points)`} data-chart={id} className="chart" style={{ width: '100%', height }} tabIndex={0}
        onKeyDown={move} onBlur={() => live.current?.dispatchAction({ type: 'hideTip' })}
        dangerouslySetInnerHTML={{ __html: svg }} suppressHydrationWarning />
      <p className="sr-only" aria-live="polite" data-testid={`${id}-point`} data-index={point ?? ''}>{point === null ? '' : texts[point]}</p>
    </>
  );
}
