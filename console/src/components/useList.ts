import type { TablePaginationConfig } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Page } from '../api';
import { useI18n } from '../i18n';
import { useLatest } from './useLatest';

export interface ListState<T> {
  items: T[];
  total: number;
  loading: boolean;
  error: string | null;
  reload(): Promise<void>;
  /** For an antd Table: server-side paging over the API's limit/offset. */
  pagination: TablePaginationConfig;
}

/**
 * A paged list from an API path answering `{items, total}`, reloaded when the filters change and, with
 * `pollMs`, every so often (for live states) while the page is shown.
 */
export function useList<T>(
  path: string,
  filters: Record<string, string | number | boolean | undefined>,
  pollMs?: number,
): ListState<T> {
  const { t } = useI18n();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [data, setData] = useState<Page<T>>({ items: [], total: 0 });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filters);
  const begin = useLatest();

  const reload = useCallback(async () => {
    const current = begin();
    try {
      const query = { ...JSON.parse(key), limit: page.pageSize, offset: (page.current - 1) * page.pageSize };
      const answer = await api<Page<T>>(path, { query });
      if (current()) {
        setData(answer);
        setError(null);
      }
    } catch (err) {
      if (current()) setError(err instanceof Error ? err.message : String(err));
    } finally {
      if (current()) setLoading(false);
    }
  }, [path, key, page, begin]);

  useEffect(() => {
    setLoading(true);
    void reload();
  }, [reload]);

  useEffect(() => {
    if (!pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void reload();
    }, pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs]);

  // A filter change starts again on the first page.
  useEffect(() => setPage((p) => ({ ...p, current: 1 })), [key]);

  return {
    ...data,
    loading,
    error,
    reload,
    pagination: {
      current: page.current,
      pageSize: page.pageSize,
      total: data.total,
      showSizeChanger: true,
      showTotal: (total) => t('common.total', { total }),
      onChange: (current, pageSize) => setPage({ current, pageSize }),
    },
  };
}
