// The quota capability's contract for other capabilities (provisioning reserves, adjusts and releases).
export { QuotaModule } from './quota.module.js';
export { QuotaBatch, QuotaService, type ReserveInput } from './quota.service.js';
export { QUOTA_DIMENSIONS, QUOTA_MAX, type QuotaDimension, type QuotaAmounts } from './quota-dimensions.js';
export type { PartialAmounts } from './quota-amounts.js';
export { ownShareJson } from './quota-sql.js';
