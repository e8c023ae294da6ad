import { describe, expect, it } from '@jest/globals';
import { en } from './en';
import { translate } from './index';
import { zhCN } from './zh-CN';

describe('dictionaries', () => {
  it('have the same keys in both languages, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const dictionary of [en, zhCN] as Record<string, string>[]) {
      expect(Object.entries(dictionary).filter(([, text]) => text.trim() === '')).toEqual([]);
    }
  });

  it('use the same placeholders in both languages', () => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect([key, placeholders(en[key])]).toEqual([key, placeholders(zhCN[key])]);
    }
  });

  it('fills placeholders', () => {
    expect(translate('zh-CN', 'common.total', { total: 12 })).toBe('共 12 条');
    expect(translate('en', 'common.total', { total: 12 })).toBe('12 in all');
  });
});
