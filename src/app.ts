// The composition root: the one place the server's parts are built and wired. Registry (every
// database service, the model store and the data roots), event bus, job runner, checkpoint import,
// GraphQL schema, access control (roles per root field, for HTTP, graphql-ws and plain routes),
// operation limits, Apollo plugins and the request context all come from here; src/server.ts only
// puts them on HTTP and WebSocket. Nothing else creates a service or hands one around.
import { hostname } from 'node:os';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';
import type { Config } from './config.js';
import { type Context, createContext, type Services } from './graphql/context.js';
import { jsonStatusPlugin } from './graphql/http-status.plugin.js';
import { OPERATION_LIMITS, limitedParseOptions, operationLimitsRule } from './graphql/limits.js';
import { buildGraphQLSchema, rootRoles } from './graphql/schema.js';
import { authenticate, authPlugin, listenHost, refusal } from './graphql/token/auth.js';
import { type WsOnSubscribe, wsOnSubscribe } from './graphql/ws-guard.js';
import { type EventBus, InProcessEventBus } from './jobs/events.js';
import type { JobEnv } from './jobs/execution.js';
import { exportAnnFile, exportSnnFile } from './jobs/export.js';
import { importCheckpoint } from './jobs/import.js';
import { deadWorkerCheck } from './jobs/liveness.js';
import { OneShotTasks } from './jobs/one-shot.js';
import { importOnnxModel } from './jobs/onnx-import.js';
import { RedisJobQueue } from './jobs/queue.js';
import { RedisEventBus } from './jobs/redis.js';
import { RemoteJobs } from './jobs/remote.js';
import { JobRunner, workersFromEnv } from './jobs/runner.js';
import { type Registry, openRegistry } from './registry/registry.js';
import type { TokenRole } from './registry/vocab.js';

export interface AppOptions {
  /** Where server logs go (default console.error). */
  log?: (...args: unknown[]) => void;
  /** Worker threads for jobs (default SPIKELAB_WORKERS, else 1). */
  workers?: number;
  /** A remote worker whose heartbeats stopped this long ago is taken as dead (default 30 s). */
  staleMs?: number;
}

export interface App {
  readonly config: Config;
  readonly registry: Registry;
  readonly events: EventBus;
  /** The in-process runner (worker threads): every job; with the Redis queue none (every job goes to remote workers), it only keeps the recovery of dead workers' jobs. */
  readonly runner: JobRunner;
  /** The Redis job queue (SPIKELAB_QUEUE); null for the embedded default. */
  readonly queue: RedisJobQueue | null;
  readonly schema: GraphQLSchema;
  /**
   * Apollo plugins: access control (roles of the root fields an operation resolves), status 200 for
   * request errors when the client prefers application/json, cache-control hints off (no field
   * uses them; the per-field hook costs ~10 ms on large results).
   */
  readonly plugins: ApolloServerPlugin<Context>[];
  /** Operation cost limits (src/graphql/limits.ts), the same over HTTP and graphql-ws: the token cap while parsing… */
  readonly parseOptions: ParseOptions;
  /** …and the validation rule that measures fields, aliases, depth and __schema selections. */
  readonly validationRules: ValidationRule[];
  readonly log: (...args: unknown[]) => void;
  /** A fresh request context with every service and one set of DataLoaders. */
  context(requestId?: string): Context;
  /** graphql-ws onSubscribe hook: parses and validates with the limits, authenticates, checks roles; the execution arguments (with a fresh context) or the errors. */
  readonly onSubscribe: WsOnSubscribe;
  /** Plain HTTP routes (PUT /uploads, worker downloads): throws UNAUTHENTICATED / FORBIDDEN unless the caller's token holds one of `roles` (any local caller while no token exists). */
  authorizeHttp(authorization: string | null | undefined, route: string, roles: readonly TokenRole[]): Promise<void>;
  /** The host to listen on (loopback while no API token exists). */
  listenHost(requested: string): Promise<string>;
  /** Stops the job runner (running jobs are handed back), then closes the database. */
  close(): Promise<void>;
}

/** Opens the registry (applying pending migrations), starts the job runner and builds the schema. */
export async function openApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? console.error;
  const registry = await openRegistry({ databaseUrl: config.databaseUrl, storeDir: config.storeDir, ...(config.dataRoots && { dataRoots: config.dataRoots }) });
  let events: EventBus | null = null;
  let queue: RedisJobQueue | null = null;
  try {
    // one bus mechanism, chosen by configuration: Redis pub/sub across replicas, or in-process
    events = config.queueUrl ? await RedisEventBus.open(config.queueUrl, log) : new InProcessEventBus();
    const env: JobEnv = { registry, events, backend: config.backend, log };
    // with the queue, remote workers take every job (training, conversion, sweep), and this server's
    // runner none: it keeps requeueing the jobs of dead workers
    const runner = new JobRunner(env, { workers: opts.workers ?? workersFromEnv(), ...(config.queueUrl ? { kinds: [], staleMs: opts.staleMs ?? 30_000 } : {}) });
    // a remote worker's job is dead when its pid on this host is gone, or its heartbeats stopped;
    // one of this process's threads, when the runner no longer runs it
    const isDead = config.queueUrl ? runner.isDead : deadWorkerCheck(hostname(), () => false, opts.staleMs ?? 30_000);
    const remote = new RemoteJobs(env, isDead);
    const tasks = new OneShotTasks(config.backend, log);
    const services: Services = {
      registry,
      events,
      remote,
      importCheckpoint: (p) => importCheckpoint(env, p),
      importOnnxModel: (p) => importOnnxModel(env, tasks, p),
      exportAnn: (id) => exportAnnFile(env, tasks, id),
      exportSnn: (id) => exportSnnFile(env, tasks, id),
    };
    const schema = await buildGraphQLSchema();
    if (config.queueUrl) {
      queue = new RedisJobQueue(config.queueUrl, env, isDead);
      await queue.start();
    }
    const recovered = await runner.start();
    if (recovered.requeued.length + recovered.failed.length > 0) {
      log(`recovered jobs left running: requeued [${recovered.requeued.join(', ')}], failed [${recovered.failed.join(', ')}]`);
    }
    const { tokens } = registry;
    const roles = rootRoles();
    const context = (requestId?: string): Context => createContext(services, requestId);
    return {
      config,
      registry,
      events,
      runner,
      queue,
      schema,
      plugins: [authPlugin(tokens, roles), jsonStatusPlugin(), ApolloServerPluginCacheControlDisabled()],
      parseOptions: limitedParseOptions(OPERATION_LIMITS),
      validationRules: [operationLimitsRule(OPERATION_LIMITS)],
      log,
      context,
      onSubscribe: wsOnSubscribe({ schema, tokens, roles, makeContext: () => context(), limits: OPERATION_LIMITS }),
      async authorizeHttp(authorization, route, roles) {
        const err = refusal(await authenticate(tokens, authorization), route, roles);
        if (err) throw err;
      },
      listenHost: (requested) => listenHost(tokens, requested, (m) => log(m)),
      async close() {
        await runner.stop();
        await queue?.stop();
        if (events instanceof RedisEventBus) await events.close();
        await registry.close();
      },
    };
  } catch (err) {
    await queue?.stop();
    if (events instanceof RedisEventBus) await events.close();
    await registry.close();
    throw err;
  }
}
