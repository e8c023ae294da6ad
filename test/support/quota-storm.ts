// One of the processes of the quota storm test (test/e2e/quota-storm.e2e.ts): boots the application
// context as an API process would and announces "ready"; then, for each plan read from stdin (one JSON
// line: [{ departmentId, amounts }]), fires all its reservations concurrently through QuotaService
// and prints one result line. It exits when stdin closes.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { DomainError, ErrorCode } from '../../src/common/errors.js';
import type { PartialAmounts } from '../../src/modules/quota/quota-amounts.js';
import { QuotaService } from '../../src/modules/quota/quota.service.js';

const app = await NestFactory.createApplicationContext(AppModule.forRole({ api: true, worker: false }), {
  logger: false,
});
const quota = app.get(QuotaService);
const dataSource = app.get(DataSource);

function reserveAll(plan: Array<{ departmentId: string; amounts: PartialAmounts }>) {
  return Promise.all(
    plan.map(({ departmentId, amounts }) =>
      dataSource
        .transaction((manager) => quota.reserve(manager, { departmentId, resourceId: randomUUID(), amounts }))
        .then(
          () => ({ departmentId, outcome: 'ok' }),
          (error: unknown) => ({
            departmentId,
            outcome:
              error instanceof DomainError && error.code === ErrorCode.QuotaExceeded
                ? 'exceeded'
                : `error: ${(error as Error).message}`,
          }),
        ),
    ),
  );
}

process.stdout.write('ready\n');
// Each input line is a plan; its arrival is the start signal, so processes given one together start together.
for await (const line of createInterface({ input: process.stdin })) {
  const outcomes = await reserveAll(JSON.parse(line));
  process.stdout.write(`result ${JSON.stringify(outcomes)}\n`);
}
await app.close();
