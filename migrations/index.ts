// Listed explicitly (not globbed) so the API, the workers, the CLI and Jest load the same set, in order.
import { Foundation1795518225362 } from './1795518225362-Foundation.js';
import { Quota1796026808415 } from './1796026808415-Quota.js';
import { MigrationInventory1796026962955 } from './1796026962955-MigrationInventory.js';
import { Provisioning1796027488675 } from './1796027488675-Provisioning.js';
import { Billing1796027560129 } from './1796027560129-Billing.js';
import { MigrationPlanning1796028423278 } from './1796028423278-MigrationPlanning.js';
import { QuotaFollowsDepartmentTree1796030066030 } from './1796030066030-QuotaFollowsDepartmentTree.js';
import { ServerRooms1796030720516 } from './1796030720516-ServerRooms.js';
import { RebillLinesLean1796030610315 } from './1796030610315-RebillLinesLean.js';
import { Budgets1796031521002 } from './1796031521002-Budgets.js';
import { RebillLineKeysBytewise1796039842964 } from './1796039842964-RebillLineKeysBytewise.js';
import { RebillLineIndexesLean1796100523417 } from './1796100523417-RebillLineIndexesLean.js';
import { ResourceEventsDeleted1796101847290 } from './1796101847290-ResourceEventsDeleted.js';
import { ResourceEventsOrderedByResource1796200000000 } from './1796200000000-ResourceEventsOrderedByResource.js';
import { LoginLockout1796300000000 } from './1796300000000-LoginLockout.js';
import { HostingEnds1796400000000 } from './1796400000000-HostingEnds.js';
import { RebillLineSets1796500000000 } from './1796500000000-RebillLineSets.js';
import { ProvisioningWritesLean1796600000000 } from './1796600000000-ProvisioningWritesLean.js';
import { RebillLinesNoInsertIntoFinalized1796700000000 } from './1796700000000-RebillLinesNoInsertIntoFinalized.js';
import { ResourceEventsWriteLean1796800000000 } from './1796800000000-ResourceEventsWriteLean.js';
import { ResourcesSpecVersions1796900000000 } from './1796900000000-ResourcesSpecVersions.js';
import { RebillRunsFinalizedRunsSeen1797000000000 } from './1797000000000-RebillRunsFinalizedRunsSeen.js';
import { RebillRunsRateCardsSeen1797100000000 } from './1797100000000-RebillRunsRateCardsSeen.js';

import type { MigrationInterface } from 'typeorm';

export const migrations: Array<new () => MigrationInterface> = [
  Foundation1795518225362,
  Quota1796026808415,
  MigrationInventory1796026962955,
  Provisioning1796027488675,
  Billing1796027560129,
  MigrationPlanning1796028423278,
  QuotaFollowsDepartmentTree1796030066030,
  RebillLinesLean1796030610315,
  ServerRooms1796030720516,
  Budgets1796031521002,
  RebillLineKeysBytewise1796039842964,
  RebillLineIndexesLean1796100523417,
  ResourceEventsDeleted1796101847290,
  ResourceEventsOrderedByResource1796200000000,
  LoginLockout1796300000000,
  HostingEnds1796400000000,
  RebillLineSets1796500000000,
  ProvisioningWritesLean1796600000000,
  RebillLinesNoInsertIntoFinalized1796700000000,
  ResourceEventsWriteLean1796800000000,
  ResourcesSpecVersions1796900000000,
  RebillRunsFinalizedRunsSeen1797000000000,
  RebillRunsRateCardsSeen1797100000000,
];
