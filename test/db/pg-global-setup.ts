// globalSetup of jest's `postgres` project: one throw-away cluster for the whole run
// (src/tools/pg-cluster.ts). Where PostgreSQL is not installed the project's suites are skipped,
// saying so (pg-setup.ts), except in CI (CI=true), where that fails the run.
import { postgresUnavailableReason, startPgCluster, type PgCluster } from '../../src/tools/pg-cluster.js';

declare global {
  var spikelabTestCluster: PgCluster | undefined;
}

// eslint-disable-next-line no-restricted-exports -- jest calls the default export of a globalSetup module
export default async function setup(): Promise<void> {
  const reason = postgresUnavailableReason();
  if (reason) {
    if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`CI must run the PostgreSQL variants of the database suites, but ${reason}`);
    process.env.SPIKELAB_TEST_PG_SKIP = reason;
    console.warn(`\npostgres: ${reason}; the PostgreSQL variants of the database suites are skipped`);
    return;
  }
  globalThis.spikelabTestCluster = await startPgCluster();
  process.env.SPIKELAB_TEST_PG_URL = globalThis.spikelabTestCluster.url();
}
