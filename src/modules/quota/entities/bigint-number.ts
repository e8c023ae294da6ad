import type { ValueTransformer } from 'typeorm';

/** BIGINT arrives from pg as text; quota amounts stay below QUOTA_MAX, so a JS number holds them exactly. */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
