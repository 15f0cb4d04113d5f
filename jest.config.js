// Tests run on the tsc output (dist/), so decorator metadata and ESM behave exactly as in production.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 120000,
};
