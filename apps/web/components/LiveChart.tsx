'use client';
import { useEffect, useRef, useState } from 'react';
import { type ChartSpec, chartOption, echarts } from '@/lib/echarts';
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

/** Shows the server's SVG, then draws the same option live in its place. */
export function LiveChart({ spec, label, money, currency, theme, height, id, svg }: {
  spec: ChartSpec; label: string; money: boolean; currency: string; theme?: 'light' | 'dark'; height: number; id: string; svg: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const app = useAppTheme();
  const drawn = theme ?? app; // an embed's own theme, else the app's
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.innerHTML = '';
    const chart = echarts.init(el, drawn === 'dark' ? 'dark' : undefined, { renderer: 'svg' });
    chart.setOption(chartOption(spec, money, currency));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => { observer.disconnect(); chart.dispose(); };
  }, [spec, money, currency, drawn]);
  return (
    <div ref={ref} role="img" aria-label={label} data-chart={id} className="chart" style={{ width: '100%', height }}
      dangerouslySetInnerHTML={{ __html: svg }} suppressHydrationWarning />
  );
}
