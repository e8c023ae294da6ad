import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config/config.js';

/** A .env in the working directory, if any; real environment variables win. */
export function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}

/** Validates configuration first: a bad variable stops the process with one line naming it. */
export async function runOrExit(main: () => Promise<void>): Promise<void> {
  try {
    loadConfig();
    await main();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
