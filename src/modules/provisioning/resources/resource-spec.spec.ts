import { describe, expect, it } from '@jest/globals';
import { checkLabels, checkSpec, quotaNeeds, requestHash } from './resource-spec.js';

describe('resource spec helpers', () => {
  it('counts every replica', () => {
    expect(quotaNeeds({ vcpu: 2, memoryGiB: 4, storageGiB: 10, image: 'x', replicas: 3 })).toEqual({
      vcpu: 6,
      memoryGiB: 12,
      storageGiB: 30,
      gpu: 0,
      instances: 3,
    });
  });

  it('hashes bodies independently of key order, and tells different bodies apart', () => {
    expect(requestHash({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(requestHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
    expect(requestHash({ b: [1, 2] })).not.toBe(requestHash({ b: [2, 1] }));
  });

  it('refuses replicas on a VM and reserved or malformed labels', () => {
    expect(() => checkSpec('vm', { vcpu: 1, memoryGiB: 1, storageGiB: 1, image: 'x', replicas: 2 })).toThrow(
      /spec\.replicas/,
    );
    expect(() => checkLabels({ 'govcloud.io/resource-id': 'x' })).toThrow(/reserved/);
    expect(() => checkLabels({ 'bad key!': 'x' })).toThrow(/labels\.bad key!/);
    expect(() => checkLabels({ app: '人口库' })).toThrow(/labels\.app/);
    expect(checkLabels({ app: 'census', 'team.example.org/tier': 'db' })).toEqual({
      app: 'census',
      'team.example.org/tier': 'db',
    });
  });
});
