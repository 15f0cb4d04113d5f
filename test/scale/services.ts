// Services for the scale-out tests, started by the tests themselves: a throw-away redis-server
// (src/tools/redis-server.ts) and PostgreSQL cluster (src/tools/pg-cluster.ts). Where one is not
// installed the suites skip with a message; under CI (CI=true) a skip is a failure.
export { startRedis, type RedisProcess } from '../../src/tools/redis-server.js';

/** Whether a service can run here (`reason` null); in CI a missing service throws instead of skipping. */
export function serviceAvailable(reason: string | null): boolean {
  if (reason === null) return true;
  const msg = `${reason}: the scale-out tests need it`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${msg}; CI must run these tests, not skip them`);
  console.warn(`skipped: ${msg}`);
  return false;
}
