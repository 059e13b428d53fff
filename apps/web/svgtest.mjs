import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
echarts.use([BarChart, GridComponent, SVGRenderer]);
const c = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 400, height: 200 });
c.setOption({ xAxis: { type: 'category', data: ['a'] }, yAxis: {}, series: [{ type: 'bar', data: [1] }] });
console.log(c.renderToSVGString().slice(0, 300));
