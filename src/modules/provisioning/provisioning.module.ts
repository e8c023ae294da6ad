import { Module } from '@nestjs/common';
import { PoolsController } from './pools/pools.controller.js';
import { PoolsService } from './pools/pools.service.js';
import { SecretBox } from './pools/secret-box.js';

/** Pools, resources and their life cycle, placement, and the jobs that drive the pools' drivers. */
@Module({
  controllers: [PoolsController],
  providers: [PoolsService, SecretBox],
  exports: [PoolsService],
})
export class ProvisioningModule {}
