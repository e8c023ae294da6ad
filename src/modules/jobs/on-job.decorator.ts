import { SetMetadata } from '@nestjs/common';
import type { JobName } from './job-catalogue.js';

export const ON_JOB = 'govcloud:on-job';

/** Marks a service method as the one handler of a job; the worker refuses to start on zero or two. */
export const OnJob = (name: JobName) => SetMetadata(ON_JOB, name);
