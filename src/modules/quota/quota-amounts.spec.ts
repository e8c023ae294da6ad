import { describe, expect, it } from '@jest/globals';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { checkAmounts, fill, firstExceeded, quotaExceeded, requireSome } from './quota-amounts.js';

const state = (limit: number, used: number, allocated: number) => ({
  limits: fill({ vcpu: limit, gpu: limit }),
  used: fill({ vcpu: used }),
  allocated: fill({ vcpu: allocated }),
});

describe('quota amounts', () => {
  it('keeps the named dimensions only', () => {
    expect(checkAmounts({ vcpu: 2, gpu: undefined }, 'amounts')).toEqual({ vcpu: 2 });
    expect(fill({ vcpu: 2 })).toEqual({
      vcpu: 2,
      memoryGiB: 0,
      storageGiB: 0,
      gpu: 0,
      publicIp: 0,
      instances: 0,
    });
  });

  it.each([[-1], [0.5], [2 ** 53], [Number.NaN], [Infinity], ['3'], [null]])('refuses %p', (value) => {
    expect(() => checkAmounts({ vcpu: value }, 'amounts')).toThrow(/^amounts\.vcpu: must be a whole number/);
  });

  it('refuses a non-object and an empty change', () => {
    expect(() => checkAmounts([1], 'amounts')).toThrow(/^amounts: must be an object/);
    expect(() => requireSome({}, 'limits')).toThrow(/^limits: name at least one/);
  });

  it('finds the first dimension that does not fit, counting what was handed to children', () => {
    expect(firstExceeded(state(10, 4, 4), { vcpu: 2 })).toBeUndefined();
    expect(firstExceeded(state(10, 4, 4), { vcpu: 3 })).toBe('vcpu');
    expect(firstExceeded(state(10, 4, 4), { vcpu: 0, gpu: 11 })).toBe('gpu');
    // Asking nothing always fits, even at a zero limit.
    expect(firstExceeded(state(0, 0, 0), { vcpu: 0 })).toBeUndefined();
  });

  it('QuotaExceeded names dimension, asked, limit and use', () => {
    const error = quotaExceeded({ id: 'd1', code: 'sz-gaj' }, 'vcpu', 3, state(10, 4, 4));
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe(ErrorCode.QuotaExceeded);
    expect(error.message).toBe(
      'vcpu: asked 3, but department sz-gaj has limit 10, used 4, allocated to child departments 4, available 2',
    );
    expect(error.details).toEqual({
      dimension: 'vcpu',
      asked: 3,
      limit: 10,
      used: 4,
      allocatedToChildren: 4,
      available: 2,
      departmentId: 'd1',
    });
  });
});
