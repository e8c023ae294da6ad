import { describe, expect, it } from '@jest/globals';
import { cpuOf, cpuQuantity, gibOf, memoryQuantity, parseQuantity } from './quantity.js';

describe('quantities', () => {
  it('reads canonical and non-canonical forms alike', () => {
    expect(cpuOf('500m')).toBe(0.5);
    expect(cpuOf('1')).toBe(1);
    expect(cpuOf(cpuQuantity(2))).toBe(2);
    expect(gibOf('1Gi')).toBe(1);
    expect(gibOf('1024Mi')).toBe(1);
    expect(gibOf(memoryQuantity(0.5))).toBe(0.5);
    expect(gibOf(String(2 ** 31))).toBe(2);
    expect(parseQuantity('1.5k')).toBe(1500);
    expect(parseQuantity('lots')).toBeUndefined();
  });
});
