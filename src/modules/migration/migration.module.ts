import { Module } from '@nestjs/common';
import { HostsController } from './hosts.controller.js';
import { HostsService } from './hosts.service.js';
import { InventoryImportService } from './inventory-import.service.js';
import { SystemsController } from './systems.controller.js';
import { SystemsService } from './systems.service.js';
import { TransitionsService } from './transitions.service.js';

/** Migration tracking (issue 5): systems and hosts, their life cycle, waves and the statistics table. */
@Module({
  controllers: [SystemsController, HostsController],
  providers: [SystemsService, HostsService, TransitionsService, InventoryImportService],
  exports: [SystemsService, HostsService, TransitionsService],
})
export class MigrationModule {}
