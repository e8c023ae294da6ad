import {
  isDriverError,
  parseFakeConnection,
  parseLibvirtConnection,
} from '../../../../libs/drivers/index.js';
import { invalid } from '../../../common/errors.js';
import type { PoolType } from '../entities/pool.entity.js';

/**
 * Refuses, naming the field, a connection its driver could never use (the driver checks the rest on
 * first use). Connections are the drivers' strings: a libvirt URI (or JSON with one), a kubeconfig,
 * the fake's JSON; the drivers' own parsers decide.
 */
export function checkConnection(type: PoolType, connection: string): void {
  const parse = (parser: (c: string) => unknown) => {
    try {
      parser(connection);
    } catch (error) {
      if (isDriverError(error))
        throw invalid(error.field ? `connection.${error.field}` : 'connection', error.message);
      throw error;
    }
  };
  switch (type) {
    case 'libvirt':
      return parse(parseLibvirtConnection);
    case 'kubernetes':
    case 'kubevirt':
      if (connection.trim() === '') throw invalid('connection', 'must be a kubeconfig (YAML)');
      return;
    case 'fake':
      return parse(parseFakeConnection);
  }
}
