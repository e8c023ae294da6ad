// The API's own definitions the console shows, taken from the server's sources (files without imports,
// so they bundle as they are) so that the two never drift apart.
export type { ResourceKind, ResourceSpec } from '../../libs/drivers/types';
export type { Principal, Role } from '../../src/modules/auth/principal';
export {
  RESOURCE_STATES,
  type ResourceState,
} from '../../src/modules/provisioning/resources/resource-states';
export {
  QUOTA_DIMENSIONS,
  type QuotaAmounts,
  type QuotaDimension,
  type QuotaView,
} from '../../src/modules/quota/quota-dimensions';
export { ROOM_STATUSES, ROOM_TRANSITIONS, type RoomStatus } from '../../src/modules/facilities/room-statuses';
export type { BurnupWeek, Counts, ReportRow } from '../../src/modules/migration/report-rows';
export { MIGRATION_STATUSES, type MigrationStatus } from '../../src/modules/migration/status-machine';
export type { Architecture, Strategy } from '../../src/modules/migration/difficulty';
export type {
  Basis,
  BudgetStatus,
  DepartmentTotal,
  FiscalEffectReport,
  FiscalEffectRow,
  FiscalFigures,
  LineRow,
  MonthSource,
  MonthTotal,
  UsageRow,
} from '../../src/modules/billing/views';
export { CAPACITY_DIMENSIONS, type Capacity } from '../../src/modules/provisioning/pools/capacity';
