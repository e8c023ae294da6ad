import type { FormInstance } from 'antd';
import { useState } from 'react';
import { showFieldErrors } from '../api';

/**
 * A form's submission to the API: busy while it runs; a failure's field errors go next to their fields
 * and the rest into `error`, for an Alert. `onError` may take a failure first (answering true when it did).
 */
export interface FormSubmit<V> {
  busy: boolean;
  error: string | null;
  submit(values: V): Promise<void>;
}

export function useFormSubmit<V>(
  form: FormInstance<V>,
  action: (values: V) => Promise<void>,
  onError?: (error: unknown) => boolean,
): FormSubmit<V> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (values: V) => {
    setBusy(true);
    setError(null);
    try {
      await action(values);
    } catch (err) {
      if (!onError?.(err)) setError(showFieldErrors(form, err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
