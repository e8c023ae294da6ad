import { useCallback, useRef } from 'react';

/**
 * Starts a call and answers a check of whether it is still the latest when its answer arrives: an older
 * answer (another filter's, another page's) arriving after a newer call must not replace it.
 */
export function useLatest(): () => () => boolean {
  const latest = useRef(0);
  return useCallback(() => {
    const call = ++latest.current;
    return () => call === latest.current;
  }, []);
}
