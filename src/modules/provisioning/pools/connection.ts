import { isDriverError, parseFakeConnection } from '../../../../libs/drivers/index.js';
import { invalid } from '../../../common/errors.js';
import type { PoolType } from '../entities/pool.entity.js';

const LIBVIRT_URI = /^qemu(\+[a-z]+)?:\/\/[^\s]*\/(system|session)(\?\S*)?$/;

/**
 * Refuses, naming the field, a connection its driver could never use (the driver checks the rest on
 * first use). Connections are the drivers' strings: a libvirt URI, a kubeconfig, the fake's JSON.
 */
export function checkConnection(type: PoolType, connection: string): void {
  switch (type) {
    case 'libvirt':
      if (!LIBVIRT_URI.test(connection))
        throw invalid('connection', 'must be a libvirt URI such as qemu:///system or qemu+ssh://host/system');
      return;
    case 'kubernetes':
    case 'kubevirt':
      if (connection.trim() === '') throw invalid('connection', 'must be a kubeconfig (YAML)');
      return;
    case 'fake':
      try {
        parseFakeConnection(connection);
      } catch (error) {
        if (isDriverError(error)) throw invalid('connection', error.message);
        throw error;
      }
      return;
  }
}
