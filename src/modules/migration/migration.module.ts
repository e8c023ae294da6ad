import { Module } from '@nestjs/common';
import { HostsController } from './hosts.controller.js';
import { HostsService } from './hosts.service.js';
import { InventoryImportService } from './inventory-import.service.js';
import { MigrationReportService } from './migration-report.service.js';
import { MigrationReportsController } from './reports.controller.js';
import { SystemsController } from './systems.controller.js';
import { SystemsService } from './systems.service.js';
import { TransitionsService } from './transitions.service.js';
import { WavesController } from './waves.controller.js';
import { WavesService } from './waves.service.js';

/** Migration tracking (issue 5): systems and hosts, their life cycle, waves and the statistics table. */
@Module({
  controllers: [SystemsController, HostsController, WavesController, MigrationReportsController],
  providers: [
    SystemsService,
    HostsService,
    TransitionsService,
    InventoryImportService,
    WavesService,
    MigrationReportService,
  ],
  exports: [SystemsService, HostsService, TransitionsService],
})
export class MigrationModule {}
