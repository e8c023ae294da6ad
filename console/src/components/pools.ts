import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';

/**
 * Pool names by id (GET /pools, which every signed-in role may read); a screen that may not need them
 * passes `wanted` false and asks for nothing. Without them the screen still works: it shows ids.
 */
export function usePoolNames(wanted = true): Map<string, string> {
  const [pools, setPools] = useState<Array<{ id: string; name: string }>>([]);
  useEffect(() => {
    if (wanted) api<Array<{ id: string; name: string }>>('/pools').then(setPools, () => undefined);
  }, [wanted]);
  return useMemo(() => new Map(pools.map((p) => [p.id, p.name])), [pools]);
}
