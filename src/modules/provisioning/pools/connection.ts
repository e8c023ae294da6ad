import { invalid } from '../../../common/errors.js';
import type { PoolType } from '../entities/pool.entity.js';

const LIBVIRT_URI = /^qemu(\+[a-z]+)?:\/\/[^\s]*\/(system|session)(\?\S*)?$/;
const MAX_KUBECONFIG = 256 * 1024;

/** Refuses, naming the field, a connection its driver could never use; the driver checks the rest on first use. */
export function checkConnection(type: PoolType, connection: Record<string, unknown>): void {
  const text = (key: string, max: number, required: boolean) => {
    const value = connection[key];
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || value.trim() === '')
      throw invalid(`connection.${key}`, 'must be a non-empty string');
    if (value.length > max) throw invalid(`connection.${key}`, `must be at most ${max} characters`);
  };
  const number = (key: string, min: number, max: number) => {
    const value = connection[key];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
      throw invalid(`connection.${key}`, `must be a number from ${min} to ${max}`);
  };
  switch (type) {
    case 'libvirt':
      text('uri', 2000, true);
      if (!LIBVIRT_URI.test(connection.uri as string))
        throw invalid(
          'connection.uri',
          'must be a libvirt URI such as qemu:///system or qemu+ssh://host/system',
        );
      return;
    case 'kubernetes':
    case 'kubevirt':
      text('kubeconfig', MAX_KUBECONFIG, true);
      text('context', 200, false);
      return;
    case 'fake':
      number('latencyMs', 0, 60_000);
      number('failureRate', 0, 1);
      return;
  }
}
