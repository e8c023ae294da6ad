// Jest runs the server as native ESM (NestJS 12 and @kubernetes/client-node are ESM-only), hence
// --experimental-vm-modules in the npm test script and @swc/jest for TypeScript. The web console's
// component tests are a second project: TSX compiled to CommonJS, in jsdom.
import { swcOptions } from './scripts/swc-options.mjs';

const server = {
  displayName: 'server',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/console/', '<rootDir>/.data/'],
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts', '**/*.test.ts'],
};

// TSX to CommonJS, and the few ES-module files that antd's CommonJS builds require (…/es/…).
const consoleSwc = (parser) => [
  '@swc/jest',
  {
    jsc: { parser, transform: { react: { runtime: 'automatic' } }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const console = {
  displayName: 'console',
  rootDir: './console',
  testEnvironment: 'jsdom',
  transform: {
    '^.+\\.tsx?$': consoleSwc({ syntax: 'typescript', tsx: true }),
    '/node_modules/.+/es/.+\\.js$': consoleSwc({ syntax: 'ecmascript' }),
  },
  transformIgnorePatterns: ['/node_modules/(?!.+/es/)'],
  // The server's sources the console shares import each other with .js suffixes.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFilesAfterEnv: ['<rootDir>/src/test/setup.ts'],
  testMatch: ['<rootDir>/src/**/*.test.ts?(x)'],
};

export default { projects: [server, console], testTimeout: 60000 };
