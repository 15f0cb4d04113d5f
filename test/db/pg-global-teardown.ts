// globalTeardown of jest's `postgres` project: stops the cluster and deletes its directory.
// eslint-disable-next-line no-restricted-exports -- jest calls the default export of a globalTeardown module
export default async function teardown(): Promise<void> {
  await globalThis.spikelabTestCluster?.stop();
}
