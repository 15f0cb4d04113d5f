// The composition root: the one place the server's parts are built and wired. Registry (every
// database service and the model store), event bus, job runner, checkpoint import, GraphQL schema,
// Apollo plugins and the request context all come from here; src/server.ts only puts them on HTTP
// and WebSocket. Nothing else creates a service or hands one around.
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, getOperationAST, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Config } from './config.js';
import { type Context, createContext, type Services } from './graphql/context.js';
import { buildGraphQLSchema } from './graphql/schema.js';
import { authorize, authPlugin, callerFromHeader, listenHost } from './graphql/token/auth.js';
import { type EventBus, InProcessEventBus } from './jobs/events.js';
import type { JobEnv } from './jobs/execution.js';
import { exportAnnFile, exportSnnFile } from './jobs/export.js';
import { importCheckpoint } from './jobs/import.js';
import { OneShotTasks } from './jobs/one-shot.js';
import { importOnnxModel } from './jobs/onnx-import.js';
import { JobRunner, workersFromEnv } from './jobs/runner.js';
import { type Registry, openRegistry } from './registry/registry.js';
import { roleAllows } from './registry/tokens.js';
import type { TokenRole } from './registry/vocab.js';

export interface AppOptions {
  /** Where server logs go (default console.error). */
  log?: (...args: unknown[]) => void;
  /** Worker threads for jobs (default SPIKELAB_WORKERS, else 1). */
  workers?: number;
}

export interface App {
  readonly config: Config;
  readonly registry: Registry;
  readonly events: EventBus;
  readonly runner: JobRunner;
  readonly schema: GraphQLSchema;
  /** Apollo plugins: access control; cache-control hints off (no field uses them; the per-field hook costs ~10 ms on large results). */
  readonly plugins: ApolloServerPlugin<Context>[];
  readonly log: (...args: unknown[]) => void;
  /** A fresh request context with every service and one set of DataLoaders. */
  context(requestId?: string): Context;
  /** graphql-ws onSubscribe hook: null when allowed, else the errors to send back. */
  authorizeWs(authorization: string | null | undefined, query: string, operationName?: string | null): Promise<readonly GraphQLError[] | null>;
  /** Plain HTTP routes (PUT /uploads): throws UNAUTHENTICATED / FORBIDDEN unless the caller's token has `role` (any caller while no token exists). */
  authorizeHttp(authorization: string | null | undefined, role: TokenRole): Promise<void>;
  /** The host to listen on (loopback while no API token exists). */
  listenHost(requested: string): Promise<string>;
  /** Stops the job runner (running jobs are handed back), then closes the database. */
  close(): Promise<void>;
}

/** Opens the registry (applying pending migrations), starts the job runner and builds the schema. */
export async function openApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? console.error;
  const registry = await openRegistry({ databaseUrl: config.databaseUrl, storeDir: config.storeDir });
  try {
    const events = new InProcessEventBus();
    const env: JobEnv = { registry, events, backend: config.backend, log };
    const tasks = new OneShotTasks(config.backend, log);
    const services: Services = {
      registry,
      events,
      importCheckpoint: (p) => importCheckpoint(env, p),
      importOnnxModel: (p) => importOnnxModel(env, tasks, p),
      exportAnn: (id) => exportAnnFile(env, tasks, id),
      exportSnn: (id) => exportSnnFile(env, tasks, id),
    };
    const schema = await buildGraphQLSchema();
    const runner = new JobRunner(env, { workers: opts.workers ?? workersFromEnv() });
    const recovered = await runner.start();
    if (recovered.requeued.length + recovered.failed.length > 0) {
      log(`recovered jobs left running: requeued [${recovered.requeued.join(', ')}], failed [${recovered.failed.join(', ')}]`);
    }
    const { tokens } = registry;
    return {
      config,
      registry,
      events,
      runner,
      schema,
      plugins: [authPlugin(tokens), ApolloServerPluginCacheControlDisabled()],
      log,
      context: (requestId) => createContext(services, requestId),
      async authorizeWs(authorization, query, operationName) {
        let op: OperationDefinitionNode | null | undefined;
        try {
          op = getOperationAST(parse(query), operationName ?? undefined);
        } catch {
          return null; // graphql-ws reports the syntax error itself
        }
        if (!op) return null;
        try {
          await authorize(tokens, await callerFromHeader(tokens, authorization), op);
          return null;
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError('authorization failed', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
      },
      async authorizeHttp(authorization, role) {
        if (!(await tokens.anyActive())) return;
        const caller = await callerFromHeader(tokens, authorization);
        if (caller.kind === 'anonymous') throw new GraphQLError(`this server requires an API token (Authorization: Bearer <secret>) with role ${role} or higher`, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
        if (!roleAllows(caller.role, role)) throw new GraphQLError(`token "${caller.name}" has role ${caller.role}; this needs ${role}`, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
      },
      listenHost: (requested) => listenHost(tokens, requested, (m) => log(m)),
      async close() {
        await runner.stop();
        await registry.close();
      },
    };
  } catch (err) {
    await registry.close();
    throw err;
  }
}
