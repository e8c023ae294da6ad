// Listed explicitly (not globbed) so the API, the workers, the CLI and Jest load the same set, in order.
import { Foundation1795518225362 } from './1795518225362-Foundation.js';
import { Quota1796026808415 } from './1796026808415-Quota.js';
import { Provisioning1796026940001 } from './1796026940001-Provisioning.js';

import type { MigrationInterface } from 'typeorm';

export const migrations: Array<new () => MigrationInterface> = [
  Foundation1795518225362,
  Quota1796026808415,
  Provisioning1796026940001,
];
