// Start-up of the run side, called once by the server after openRegistry: run services, the job
// runner (worker pool), their binding to the request context, and access control hooks.
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { BackendName } from '../formats/index.js';
import { JobEvents } from '../jobs/events.js';
import type { JobEnv } from '../jobs/execution.js';
import { importCheckpoint } from '../jobs/import.js';
import { JobRunner, workersFromEnv } from '../jobs/runner.js';
import type { Registry } from '../registry/registry.js';
import { openRunServices, type RunServices } from '../registry/run-services.js';
import type { Context } from './context.js';
import { compareResponseCache } from './compare/compare-cache.plugin.js';
import { bindRunServices } from './runs-context.js';
import { rootRoles } from './schema.js';
import { authPlugin, listenHost } from './token/auth.js';

export interface RunSide {
  services: RunServices;
  events: JobEvents;
  runner: JobRunner;
  /** Apollo plugins: access control, and cache-control hints off (no field uses them; the per-field hook costs ~10 ms on large results). */
  plugins: ApolloServerPlugin<Context>[];
  /** The host to listen on (loopback while no API token exists). */
  listenHost(requested: string): Promise<string>;
  close(): Promise<void>;
}

export interface RunSideOptions {
  databaseUrl: string;
  backend: BackendName;
  workers?: number;
  log?: (...args: unknown[]) => void;
}

export async function startRunSide(registry: Registry, opts: RunSideOptions): Promise<RunSide> {
  const log = opts.log ?? console.error;
  const services = openRunServices(registry, opts.databaseUrl);
  const events = new JobEvents();
  const env: JobEnv = { registry, services, events, backend: opts.backend, log };
  bindRunServices(registry, { services, events, importCheckpoint: (p) => importCheckpoint(env, p) });
  const runner = new JobRunner(env, { workers: opts.workers ?? workersFromEnv() });
  const recovered = await runner.start();
  if (recovered.requeued.length + recovered.failed.length > 0) {
    log(`recovered jobs left running: requeued [${recovered.requeued.join(', ')}], failed [${recovered.failed.join(', ')}]`);
  }
  return {
    services,
    events,
    runner,
    plugins: [authPlugin(services.tokens, rootRoles()), ApolloServerPluginCacheControlDisabled(), compareResponseCache(() => services.compare.dataVersion())],
    listenHost: (requested) => listenHost(services.tokens, requested, (m) => log(m)),
    async close() {
      await runner.stop();
      services.close();
    },
  };
}
