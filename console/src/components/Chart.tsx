import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';

/**
 * An ECharts chart that follows its option and its container's size. SVG, so charts stay sharp in
 * screenshots and print, and render in jsdom for the component tests.
 */
export function Chart({ option, height = 320 }: { option: echarts.EChartsOption; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const div = element.current!;
    chart.current = echarts.init(div, undefined, { renderer: 'svg' });
    const resize = new ResizeObserver(() => chart.current?.resize());
    resize.observe(div);
    return () => {
      resize.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={element} style={{ width: '100%', height }} />;
}
