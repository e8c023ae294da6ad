import { Module } from '@nestjs/common';
import { ProvisioningModule } from '../provisioning/provisioning.module.js';
import { RoomClosureService } from './room-closure.service.js';
import { RoomsController } from './rooms.controller.js';
import { RoomsService } from './rooms.service.js';

/** Server rooms (issue 6): inventory, leases, closure tied to host migration, budget stop, reports. */
@Module({
  imports: [ProvisioningModule],
  controllers: [RoomsController],
  providers: [RoomsService, RoomClosureService],
  exports: [RoomsService],
})
export class FacilitiesModule {}
