import { Module } from '@nestjs/common';
import { ProvisioningModule } from '../provisioning/provisioning.module.js';
import { RoomClosureService } from './room-closure.service.js';
import { RoomImportService } from './room-import.service.js';
import { RoomReportService } from './room-report.service.js';
import { RoomReportsController } from './room-reports.controller.js';
import { RoomsController } from './rooms.controller.js';
import { RoomsService } from './rooms.service.js';

/** Server rooms (issue 6): inventory, leases, closure tied to host migration, budget stop, reports. */
@Module({
  imports: [ProvisioningModule],
  controllers: [RoomsController, RoomReportsController],
  providers: [RoomsService, RoomClosureService, RoomReportService, RoomImportService],
  exports: [RoomsService],
})
export class FacilitiesModule {}
