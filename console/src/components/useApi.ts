import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';

/** One API answer for a screen (null while loading or when `path` is null), with the error and a reload. */
export function useApi<T>(path: string | null): {
  data: T | null;
  error: string | null;
  reload(): Promise<void>;
} {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    if (!path) return;
    const call = ++latest.current;
    try {
      const answer = await api<T>(path);
      // An older answer (another filter's) arriving after a newer call is dropped.
      if (call === latest.current) {
        setData(answer);
        setError(null);
      }
    } catch (err) {
      if (call === latest.current) setError(err instanceof Error ? err.message : String(err));
    }
  }, [path]);
  useEffect(() => {
    // Another path (a filter changed): the answer of the previous one is not shown as this one's.
    setData(null);
    setError(null);
    void reload();
  }, [reload]);
  return { data, error, reload };
}
