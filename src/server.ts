// HTTP entry point: one port serves GraphQL (POST /graphql), subscriptions (graphql-ws on the same
// path), the offline explorer (GET /graphql from a browser) and /healthz. Others add routes (the
// dashboard at GET /) through StartOptions.routes; `spikelab serve` calls startServer too.
import './production-env.js';
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { PubSub } from 'type-graphql';
import { WebSocketServer } from 'ws';
import { type Config, loadConfig } from './config.js';
import { installDashboard } from './dashboard/routes.js';
import { type Context, createContext } from './graphql/context.js';
import { formatError, getErrorFromUnknown } from './graphql/errors.js';
import { explorerHtml } from './graphql/explorer.js';
import { jsonStatusPlugin } from './graphql/http-status.plugin.js';
import { limitedParseOptions, operationLimitsRule } from './graphql/limits.js';
import { wsOnSubscribe } from './graphql/ws-guard.js';
import { MAX_BODY_BYTES, graphqlBody } from './http/body.js';
import { createPubSub } from './graphql/pubsub.js';
import { type RunSide, startRunSide } from './graphql/runs-setup.js';
import { buildGraphQLSchema, rootRoles } from './graphql/schema.js';
import { type Registry, openRegistry } from './registry/registry.js';

export const GRAPHQL_PATH = '/graphql';

export interface AppDeps {
  config: Config;
  registry: Registry;
  schema: GraphQLSchema;
  pubSub: PubSub;
  /** Jobs, runs, metrics and access control (issue 5); absent in apps built without it. */
  runSide?: RunSide;
}

/** Adds routes to the express app (e.g. the dashboard at GET /); runs after /graphql and /healthz. */
export type RouteInstaller = (app: Express, deps: AppDeps) => void | Promise<void>;

export interface StartOptions {
  routes?: RouteInstaller[];
  /** Where server logs go (default console.error). */
  log?: (...args: unknown[]) => void;
}

export interface SpikelabServer {
  url: string;
  port: number;
  app: Express;
  httpServer: Server;
  deps: AppDeps;
  close(): Promise<void>;
}

function errorLogger(log: (...args: unknown[]) => void): ApolloServerPlugin<Context> {
  return {
    requestDidStart() {
      return Promise.resolve({
        didEncounterErrors(rc) {
          for (const err of rc.errors) {
            // only unexpected errors: their cause is logged here and never sent to the client
            if (getErrorFromUnknown(err).internal) log(`[${rc.contextValue.requestId}] internal error in ${rc.operationName ?? 'anonymous operation'}:`, unwrapResolverError(err));
          }
          return Promise.resolve();
        },
      });
    },
  };
}

/** Builds the express app around an open registry (no listening). */
export async function buildApp(deps: AppDeps, httpServer: Server, options: StartOptions = {}): Promise<{ app: Express; stop: () => Promise<void> }> {
  const { registry, schema, pubSub } = deps;
  const log = options.log ?? console.error;
  const app = express();
  app.disable('x-powered-by');

  // one WebSocket message is bounded like an HTTP body (ws allows 100 MiB by default)
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: MAX_BODY_BYTES });
  const ws = useServer(
    {
      schema,
      // parse, validate (with the cost limits), authenticate and check roles; sets the context
      onSubscribe: wsOnSubscribe({ schema, tokens: deps.runSide?.services.tokens ?? null, roles: rootRoles(), makeContext: () => createContext(registry, pubSub) }),
      // errors raised before the first event (e.g. NOT_FOUND from a subscription's source) get codes too
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!('errors' in result) || !result.errors) return undefined;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) };
      },
    },
    wsServer,
  );
  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // explicit: NODE_ENV defaults to production (src/production-env.ts), and clients rely on introspection
    introspection: true,
    // compact JSON (Apollo pretty-prints by default: 2× the bytes and ~3 ms per 200-row compare)
    stringifyResult: (value) => JSON.stringify(value),
    parseOptions: limitedParseOptions(),
    validationRules: [operationLimitsRule()],
    plugins: [
      jsonStatusPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      errorLogger(log),
      ...(deps.runSide?.plugins ?? []),
      { serverWillStart: () => Promise.resolve({ drainServer: async () => { await ws.dispose(); } }) },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    void registry.isDatabaseReachable().then((reachable) => {
      res.status(reachable ? 200 : 503).json({
        status: reachable ? 'ok' : 'unavailable',
        database: { reachable },
        uptimeSeconds: Math.round(process.uptime()),
      });
    });
  });
  app.get(GRAPHQL_PATH, (req, res, next) => {
    const wantsHtml = req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (wantsHtml && req.query.query === undefined) res.type('html').send(explorerHtml(GRAPHQL_PATH));
    else next();
  });
  app.use(
    GRAPHQL_PATH,
    ...graphqlBody(),
    expressMiddleware(apollo, {
      context: ({ req }) => Promise.resolve(createContext(registry, pubSub, req.header('x-request-id') ?? randomUUID())),
    }),
  );
  for (const install of options.routes ?? []) await install(app, deps);
  return { app, stop: () => apollo.stop() };
}

/** Applies pending migrations, opens the store and serves. Port 0 picks a free port (tests). */
export async function startServer(config: Config, options: StartOptions = {}): Promise<SpikelabServer> {
  const registry = await openRegistry({ databaseUrl: config.databaseUrl, storeDir: config.storeDir, ...(config.dataRoots && { dataRoots: config.dataRoots }) });
  try {
    const pubSub = createPubSub();
    const runSide = await startRunSide(registry, { databaseUrl: config.databaseUrl, backend: config.backend, ...(options.log && { log: options.log }) });
    const deps: AppDeps = { config, registry, schema: await buildGraphQLSchema(pubSub), pubSub, runSide };
    const httpServer = createServer();
    const { app, stop } = await buildApp(deps, httpServer, options);
    httpServer.on('request', (req, res) => void app(req, res));
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      void runSide.listenHost(config.host).then((host) => httpServer.listen(config.port, host, () => resolve()), reject);
    });
    const { port } = httpServer.address() as AddressInfo;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    return {
      url: `http://${shownHost}:${port}${GRAPHQL_PATH}`,
      port,
      app,
      httpServer,
      deps,
      close: async () => {
        await stop();
        await runSide.close();
        await registry.close();
      },
    };
  } catch (err) {
    await registry.close();
    throw err;
  }
}

/**
 * The full server (GraphQL, subscriptions, dashboard) as `npm start` and `spikelab serve` run it:
 * logs where it listens, serves until SIGINT/SIGTERM, then closes cleanly (drains HTTP, hands
 * running jobs back, closes the database).
 */
export async function serveUntilSignal(config: Config): Promise<void> {
  const server = await startServer(config, { routes: [installDashboard] });
  const applied = server.deps.registry.appliedMigrations;
  if (applied.length > 0) console.log(`applied migrations: ${applied.join(', ')}`);
  const base = server.url.replace(/\/graphql$/, '/');
  console.log(`Spikelab at ${base} (dashboard); GraphQL at ${server.url}; database ${config.databaseUrl}, store ${config.storeDir}, backend ${config.backend}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}

async function main(): Promise<void> {
  await serveUntilSignal(loadConfig());
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`spikelab: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
