'use client';
// One chart component on ECharts (tree-shaken, SVG renderer: crisp, and its text is in the DOM).
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, AriaComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, SVGRenderer]);

export interface SeriesData { name: string; values: Array<number | null> }
export type ChartSpec =
  | { type: 'line' | 'bar'; categories: string[]; series: SeriesData[]; stacked?: boolean }
  | { type: 'pie'; slices: Array<{ name: string; value: number }> };

const money = (v: number) => `$${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;

function option(spec: ChartSpec, isMoney: boolean) {
  const fmt = (v: unknown) => (typeof v === 'number' ? (isMoney ? money(v) : v.toLocaleString('en-US')) : String(v ?? '—'));
  const common = { aria: { enabled: true }, animation: false, tooltip: { trigger: spec.type === 'pie' ? 'item' : 'axis', valueFormatter: fmt } };
  if (spec.type === 'pie') {
    return { ...common, legend: { bottom: 0, type: 'scroll' }, series: [{ type: 'pie', radius: ['40%', '70%'], data: spec.slices, label: { formatter: '{b}: {d}%' } }] };
  }
  return {
    ...common,
    legend: spec.series.length > 1 ? { bottom: 0, type: 'scroll' } : undefined,
    grid: { left: 8, right: 16, top: 16, bottom: spec.series.length > 1 ? 40 : 8, containLabel: true },
    xAxis: { type: 'category', data: spec.categories },
    yAxis: { type: 'value', axisLabel: { formatter: fmt } },
    series: spec.series.map((s) => ({ type: spec.type, name: s.name, data: s.values, stack: spec.stacked ? 'all' : undefined, showSymbol: false })),
  };
}

/** Marks the first chart drawn with data: `npm run bench:web` reads it as the page's first meaningful paint. */
function markPainted(id: string) {
  requestAnimationFrame(() => {
    if (!performance.getEntriesByName('sg-meaningful-paint').length) performance.mark('sg-meaningful-paint', { detail: id });
  });
}

export function Chart({ spec, label, money: isMoney = true, theme, height = 280, id }: {
  spec: ChartSpec; label: string; money?: boolean; theme?: 'light' | 'dark'; height?: number; id?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, theme === 'dark' ? 'dark' : undefined, { renderer: 'svg' });
    chart.setOption({ ...option(spec, isMoney), backgroundColor: 'transparent' });
    markPainted(id ?? label);
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(ref.current!);
    return () => { observer.disconnect(); chart.dispose(); };
  }, [spec, isMoney, theme, id, label]);
  const empty = spec.type === 'pie' ? !spec.slices.length : !spec.categories.length;
  if (empty) return <p className="empty">No data in this range.</p>;
  return <div ref={ref} role="img" aria-label={label} data-chart={id ?? label} style={{ width: '100%', height }} />;
}
