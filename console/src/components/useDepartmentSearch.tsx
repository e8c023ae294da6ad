import { Input } from 'antd';
import { useState, type ReactNode } from 'react';
import { useI18n } from '../i18n';

/**
 * A search box over table rows that name a department: a city has thousands of departments, and
 * finding one by code or name beats paging for it. Answers the box and the rows that match.
 */
export function useDepartmentSearch<T extends { code: string; name: string }>(rows: T[]): [ReactNode, T[]] {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const box = (
    <Input.Search
      allowClear
      placeholder={t('common.filterDepartments')}
      style={{ maxWidth: 320, marginBottom: 8 }}
      onChange={(event) => setText(event.target.value.trim())}
    />
  );
  return [box, rows.filter((r) => r.code.includes(text) || r.name.includes(text))];
}
