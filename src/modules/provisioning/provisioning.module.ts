import { Module } from '@nestjs/common';
import { QuotaModule } from '../quota/index.js';
import { PoolDrivers } from './jobs/pool-drivers.js';
import { Provisioner } from './jobs/provisioner.service.js';
import { Reconciler } from './jobs/reconciler.service.js';
import { PoolsController } from './pools/pools.controller.js';
import { PoolsService } from './pools/pools.service.js';
import { SecretBox } from './pools/secret-box.js';
import { Admission } from './resources/admission.js';
import { Placement } from './resources/placement.js';
import { ResourceActionsService } from './resources/resource-actions.service.js';
import { ResourceTransitions } from './resources/resource-transitions.js';
import { ResourcesController } from './resources/resources.controller.js';
import { ResourcesService } from './resources/resources.service.js';

/** Pools, resources and their life cycle, placement, and the jobs that drive the pools' drivers. */
@Module({
  imports: [QuotaModule],
  controllers: [PoolsController, ResourcesController],
  providers: [
    PoolsService,
    SecretBox,
    Placement,
    Admission,
    ResourceTransitions,
    ResourcesService,
    ResourceActionsService,
    PoolDrivers,
    Provisioner,
    Reconciler,
  ],
  exports: [PoolsService, ResourcesService],
})
export class ProvisioningModule {}
