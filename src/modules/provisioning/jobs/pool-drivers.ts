import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DriverCache, DriverError, type ResourceDriver } from '../../../../libs/drivers/index.js';
import { AppConfig } from '../../../config/config.js';
import type { Pool } from '../entities/pool.entity.js';
import { SecretBox } from '../pools/secret-box.js';

/** One driver per pool for the life of the process; a changed connection gets a fresh one. */
@Injectable()
export class PoolDrivers implements OnApplicationShutdown {
  private readonly cache: DriverCache;

  constructor(
    config: AppConfig,
    private readonly secrets: SecretBox,
  ) {
    this.cache = new DriverCache({ redis: config.FAKE_POOL_REDIS_URL ?? config.REDIS_URL });
  }

  /** The pool must have been read with its sealed connection. */
  forPool(pool: Pick<Pool, 'id' | 'type' | 'connectionSealed'>): ResourceDriver {
    let connection: string;
    try {
      connection = this.secrets.open(pool.connectionSealed, pool.id);
    } catch (error) {
      // Sealed for another pool or under another SECRET_KEY: no retry opens it, so the job must not retry.
      throw new DriverError('Misconfigured', `pool ${pool.id}: its connection cannot be unsealed`, {
        cause: error,
      });
    }
    return this.cache.get({ id: pool.id, type: pool.type, connection });
  }

  onApplicationShutdown(): Promise<void> {
    return this.cache.closeAll();
  }
}
