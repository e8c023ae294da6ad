import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { BillingModule } from './modules/billing/billing.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { FacilitiesModule } from './modules/facilities/facilities.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { JobsModule, WorkerRuntimeModule } from './modules/jobs/jobs.module.js';
import { MigrationModule } from './modules/migration/migration.module.js';
import { ProvisioningModule } from './modules/provisioning/provisioning.module.js';
import { QuotaModule } from './modules/quota/quota.module.js';
import { TenancyModule } from './modules/tenancy/tenancy.module.js';

/** The bounded contexts, shared by both entry points. */
const domainModules = [
  ConfigModule,
  JobsModule,
  HealthModule,
  AuditModule,
  AuthModule,
  TenancyModule,
  QuotaModule,
  MigrationModule,
  FacilitiesModule,
  ProvisioningModule,
  BillingModule,
];

@Module({})
export class AppModule {
  /** api: HTTP only; worker: job processors only; both: the demo's single process. */
  static forRole(role: { api: boolean; worker: boolean }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(
          role.api && role.worker ? 'govcloud' : role.api ? 'govcloud-api' : 'govcloud-worker',
        ),
        ...domainModules,
        ...(role.worker ? [WorkerRuntimeModule] : []),
      ],
    };
  }
}
