import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { useLatest } from './useLatest';

/** One API answer for a screen (null while loading or when `path` is null), with the error and a reload. */
export function useApi<T>(path: string | null): {
  data: T | null;
  error: string | null;
  reload(): Promise<void>;
} {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const begin = useLatest();
  const reload = useCallback(async () => {
    if (!path) return;
    const current = begin();
    try {
      const answer = await api<T>(path);
      if (current()) {
        setData(answer);
        setError(null);
      }
    } catch (err) {
      if (current()) setError(err instanceof Error ? err.message : String(err));
    }
  }, [path, begin]);
  useEffect(() => {
    // Another path (a filter changed): the answer of the previous one is not shown as this one's.
    setData(null);
    setError(null);
    void reload();
  }, [reload]);
  return { data, error, reload };
}
