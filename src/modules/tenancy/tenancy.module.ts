import { Global, Module } from '@nestjs/common';
import { DepartmentScope } from './department-scope.js';
import { DepartmentsController } from './departments.controller.js';
import { DepartmentsService } from './departments.service.js';

@Global()
@Module({
  controllers: [DepartmentsController],
  providers: [DepartmentsService, DepartmentScope],
  exports: [DepartmentsService, DepartmentScope],
})
export class TenancyModule {}
