import { describe, expect, it } from '@jest/globals';
import { render } from '@testing-library/react';
import { Chart } from './Chart';

// jsdom lays nothing out: give every element the size a browser would.
Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, value: 600 });
Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, value: 320 });

describe('Chart', () => {
  it('draws the option as SVG and redraws when it changes', () => {
    const option = (name: string) => ({
      animation: false,
      xAxis: { type: 'category' as const, data: ['一月', '二月'] },
      yAxis: { type: 'value' as const },
      series: [{ name, type: 'bar' as const, data: [3, 5] }],
    });
    const { container, rerender } = render(<Chart option={option('计算')} />);
    const svg = container.querySelector('svg');
    expect(svg).not.toBeNull();
    expect(svg!.textContent).toContain('一月');
    rerender(<Chart option={{ ...option('存储'), xAxis: { type: 'category', data: ['三月'] } }} />);
    expect(container.querySelector('svg')!.textContent).toContain('三月');
    expect(container.querySelector('svg')!.textContent).not.toContain('一月');
  });
});
