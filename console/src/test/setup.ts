import { configure } from '@testing-library/react';
import { TextDecoder, TextEncoder } from 'node:util';
import { setImmediate } from 'node:timers';

// What jsdom lacks: TextEncoder (react-router), setImmediate (React's scheduler), MessageChannel
// (antd's select and form, for macrotasks), matchMedia (antd's responsive parts), ResizeObserver.
// Node's own MessageChannel would keep Jest from exiting, hence a timer-based one.
class Port {
  other?: Port;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  postMessage(data: unknown) {
    setTimeout(() => this.other?.onmessage?.({ data }), 0);
  }
  close() {}
}
class MessageChannel {
  port1 = new Port();
  port2 = new Port();
  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
  }
}
Object.assign(globalThis, { TextEncoder, TextDecoder, setImmediate, MessageChannel });
Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  }),
});

window.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

// jsdom implements getComputedStyle for elements, not for their pseudo-elements (antd asks for both).
const getComputedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => getComputedStyle(element);

// jsdom has no canvas; ECharts (drawing SVG) only measures text with one.
HTMLCanvasElement.prototype.getContext = function () {
  return { font: '', measureText: (text: string) => ({ width: text.length * 12 }) };
} as unknown as HTMLCanvasElement['getContext'];

// findBy… and waitFor wait this long: the suite runs on a loaded two-core machine.
configure({ asyncUtilTimeout: 20_000 });
jest.setTimeout(180_000);

// Each test starts signed out, in the default language.
beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});
