'use client';
import { useEffect, useRef } from 'react';
import { type ChartSpec, chartOption, echarts } from '@/lib/echarts';

/** Shows the server's SVG, then draws the same option live in its place. */
export function LiveChart({ spec, label, money, theme, height, id, svg }: {
  spec: ChartSpec; label: string; money: boolean; theme?: 'light' | 'dark'; height: number; id: string; svg: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.innerHTML = '';
    const chart = echarts.init(el, theme === 'dark' ? 'dark' : undefined, { renderer: 'svg' });
    chart.setOption(chartOption(spec, money));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => { observer.disconnect(); chart.dispose(); };
  }, [spec, money, theme]);
  return (
    <div ref={ref} role="img" aria-label={label} data-chart={id} className="chart" style={{ width: '100%', height }}
      dangerouslySetInnerHTML={{ __html: svg }} suppressHydrationWarning />
  );
}
