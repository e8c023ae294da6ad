// Jest runs the project as native ESM (NestJS 12 and @kubernetes/client-node are ESM-only),
// hence --experimental-vm-modules in the npm test script and @swc/jest for TypeScript.
import { swcOptions } from './scripts/swc-options.mjs';

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/console/', '/.data/'],
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts', '**/*.test.ts'],
  testTimeout: 60000,
};
