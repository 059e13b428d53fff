// ECharts, tree-shaken to the charts we draw, with the SVG renderer (server-side
// rendering and crisp output), and the one option builder both sides use.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { formatCount, formatMoney, formatPercent } from './format';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, SVGRenderer]);
export { echarts };

export interface SeriesData { name: string; values: Array<number | null> }
export type ChartSpec =
  | {
    type: 'line' | 'bar'; categories: string[]; series: SeriesData[]; stacked?: boolean; /** per category: the bucket is not complete */ partial?: boolean[];
    /** Bars across, one labelled row per category (names, not time): every bar keeps its label. */
    horizontal?: boolean;
  }
  | { type: 'pie'; slices: Array<{ name: string; value: number }> };

/** Slices under this angle (degrees, ~3 %) keep their legend entry but draw no label: no `x: 0%` piled up. */
const MIN_LABEL_ANGLE = 10;

export function isEmpty(spec: ChartSpec) {
  return spec.type === 'pie' ? !spec.slices.length : !spec.categories.length;
}

export function chartOption(spec: ChartSpec, isMoney: boolean, currency: string) {
  const fmt = (v: unknown) => (typeof v === 'number' ? (isMoney ? formatMoney(v, currency) : formatCount(v)) : String(v ?? '—'));
  const common = { aria: { enabled: true }, animation: false, backgroundColor: 'transparent', tooltip: { trigger: spec.type === 'pie' ? 'item' : 'axis', valueFormatter: fmt } };
  if (spec.type === 'pie') {
    return {
      ...common, legend: { bottom: 0, type: 'scroll' },
      series: [{
        type: 'pie', radius: ['40%', '70%'], data: spec.slices, avoidLabelOverlap: true, minShowLabelAngle: MIN_LABEL_ANGLE,
        label: { formatter: (p: { name: string; percent: number }) => `${p.name}: ${formatPercent(p.percent / 100)}` },
      }],
    };
  }
  if (spec.horizontal) {
    return {
      ...common,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      // Largest first from the top; interval 0: every category is labelled.
      yAxis: { type: 'category', data: [...spec.categories].reverse(), axisLabel: { interval: 0 } },
      xAxis: { type: 'value', axisLabel: { formatter: fmt } },
      series: spec.series.map((s) => ({ type: 'bar', name: s.name, data: [...s.values].reverse() })),
    };
  }
  return {
    ...common,
    legend: spec.series.length > 1 ? { bottom: 0, type: 'scroll' } : undefined,
    grid: { left: 8, right: 16, top: 16, bottom: spec.series.length > 1 ? 40 : 8, containLabel: true },
    xAxis: { type: 'category', data: spec.categories },
    yAxis: { type: 'value', axisLabel: { formatter: fmt } },
    series: spec.series.map((s) => ({ type: spec.type, name: s.name, data: s.values.map((v, i) => (spec.partial?.[i] ? { value: v, itemStyle: { opacity: 0.45 } } : v)), stack: spec.stacked ? 'all' : undefined, showSymbol: false })),
  };
}

/** The chart as an SVG string, drawn on the server: visible before any script runs. */
export function renderSvg(spec: ChartSpec, isMoney: boolean, currency: string, theme: 'light' | 'dark' | undefined, width: number, height: number) {
  const chart = echarts.init(null, theme === 'dark' ? 'dark' : undefined, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(chartOption(spec, isMoney, currency));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
