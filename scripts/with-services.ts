// Runs a command with DATABASE_URL and REDIS_URL pointing at real services: the configured ones,
// or project-local ones started for the duration of the command (see local-services.ts).
import { spawn } from 'node:child_process';
import { ensureServices } from './local-services.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node --import ./scripts/register.mjs scripts/with-services.ts <command> [args...]');
  process.exit(2);
}

const services = await ensureServices();
const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl },
});
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', async (code, signal) => {
  await services.stop();
  process.exit(code ?? (signal ? 1 : 0));
});
