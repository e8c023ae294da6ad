import { ApiToken } from '../modules/auth/entities/api-token.entity.js';
import { User } from '../modules/auth/entities/user.entity.js';
import { AuditEntry } from '../modules/audit/entities/audit-entry.entity.js';
import { BudgetAlert, DepartmentBudget } from '../modules/billing/entities/budget.entity.js';
import { RateCard, RateCardStoragePrice } from '../modules/billing/entities/rate-card.entity.js';
import {
  RebillLine,
  RebillLineSet,
  RebillRun,
  RebillRunCard,
} from '../modules/billing/entities/rebill.entity.js';
import { AuditExport } from '../modules/audit/entities/audit-export.entity.js';
import { NetworkLease } from '../modules/facilities/entities/network-lease.entity.js';
import { RoomEquipment } from '../modules/facilities/entities/room-equipment.entity.js';
import { ServerRoom } from '../modules/facilities/entities/server-room.entity.js';
import { Host } from '../modules/migration/entities/host.entity.js';
import { InformationSystem } from '../modules/migration/entities/information-system.entity.js';
import { MigrationTarget } from '../modules/migration/entities/migration-target.entity.js';
import { MigrationTransition } from '../modules/migration/entities/migration-transition.entity.js';
import { MigrationWave } from '../modules/migration/entities/migration-wave.entity.js';
import { SystemResource } from '../modules/migration/entities/system-resource.entity.js';
import { OutboxMessage } from '../modules/jobs/entities/outbox-message.entity.js';
import { Pool } from '../modules/provisioning/entities/pool.entity.js';
import { ReconcileEvent } from '../modules/provisioning/entities/reconcile-event.entity.js';
import { ResourceEvent } from '../modules/provisioning/entities/resource-event.entity.js';
import { Resource } from '../modules/provisioning/entities/resource.entity.js';
import { DepartmentQuota } from '../modules/quota/entities/department-quota.entity.js';
import { QuotaLedgerEntry } from '../modules/quota/entities/quota-ledger-entry.entity.js';
import { QuotaRequest } from '../modules/quota/entities/quota-request.entity.js';
import { Department } from '../modules/tenancy/entities/department.entity.js';

/** Every entity, listed once; the API, the workers and the migration CLI all load this list. */
export const entities = [
  Department,
  User,
  ApiToken,
  AuditEntry,
  AuditExport,
  OutboxMessage,
  DepartmentQuota,
  QuotaLedgerEntry,
  QuotaRequest,

  InformationSystem,
  Host,
  MigrationTransition,
  MigrationWave,
  MigrationTarget,
  SystemResource,
  ServerRoom,
  NetworkLease,
  RoomEquipment,
  Pool,
  Resource,
  ResourceEvent,
  ReconcileEvent,
  RateCard,
  RateCardStoragePrice,
  RebillRun,
  RebillLineSet,
  RebillLine,
  RebillRunCard,
  DepartmentBudget,
  BudgetAlert,
];
