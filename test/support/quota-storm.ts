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

/** A client's retry: waiting for a pooled connection timed out, so nothing was written; ask again. */
const BUSY = /timeout exceeded when trying to connect/;

async function reserveOne(
  departmentId: string,
  amounts: PartialAmounts,
  resourceId = randomUUID(),
): Promise<string> {
  try {
    await dataSource.transaction((manager) => quota.reserve(manager, { departmentId, resourceId, amounts }));
    return 'ok';
  } catch (error) {
    if (error instanceof DomainError && error.code === ErrorCode.QuotaExceeded) return 'exceeded';
    if (BUSY.test((error as Error).message)) return reserveOne(departmentId, amounts, resourceId);
    return `error: ${(error as Error).message}`;
  }
}

function reserveAll(plan: Array<{ departmentId: string; amounts: PartialAmounts }>) {
  return Promise.all(
    plan.map(async ({ departmentId, amounts }) => ({
      departmentId,
      outcome: await reserveOne(departmentId, amounts),
    })),
  );
}

process.stdout.write('ready\n');
// Each input line is a plan; its arrival is the start signal, so processes given one together start together.
for await (const line of createInterface({ input: process.stdin })) {
  const outcomes = await reserveAll(JSON.parse(line));
  process.stdout.write(`result ${JSON.stringify(outcomes)}\n`);
}
await app.close();
