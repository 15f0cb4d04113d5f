// HTTP entry point: puts the app (src/app.ts, the composition root) on one port: GraphQL
// (POST /graphql), subscriptions (graphql-ws on the same path), the offline explorer (GET /graphql
// from a browser), /healthz, PUT /uploads and GET /exports/… (src/exports.ts). Others add routes (the dashboard at GET /) through
// StartOptions.routes; `spikelab serve` calls serveUntilSignal too.
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
import express, { type Express, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { type App, openApp } from './app.js';
import { type Config, loadConfig } from './config.js';
import { READ_BOUNDS } from './data/files.js';
import { installDashboard } from './dashboard/routes.js';
import { installExports } from './exports.js';
import type { Context } from './graphql/context.js';
import { ERROR_CODES, formatError, getErrorFromUnknown } from './graphql/errors.js';
import { explorerHtml } from './graphql/explorer.js';
import { MAX_BODY_BYTES, graphqlBody } from './graphql/http-body.js';
import { redactUrl } from './registry/provider.js';
import { UploadTooLargeError } from './registry/store.js';
import { installWorkerRoutes } from './worker-routes.js';

export const GRAPHQL_PATH = '/graphql';
export const UPLOADS_PATH = '/uploads';
/**
 * Largest body PUT /uploads accepts: a checkpoint file, so the bound of a checkpoint's weights read
 * from the data roots (base64 in GraphQL stays under the 10 MiB JSON body limit).
 */
export const MAX_UPLOAD_BYTES = READ_BOUNDS.weights.maxBytes;

/** Adds routes to the express app (e.g. the dashboard at GET /); runs after /graphql and /healthz. */
export type RouteInstaller = (http: Express, app: App) => void | Promise<void>;

export interface StartOptions {
  routes?: RouteInstaller[];
  /** Where server logs go (default console.error). */
  log?: (...args: unknown[]) => void;
}

export interface SpikelabServer {
  url: string;
  port: number;
  /** The composition root: registry, event bus, job runner, schema. */
  app: App;
  http: Express;
  httpServer: Server;
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

/**
 * The JSON error answer of a plain route, shaped like a GraphQL error. When the request body was
 * not read to its end, the connection closes once the answer is sent (not kept alive to drain it).
 */
function sendError(req: Request, res: Response, status: number, message: string, code: string): void {
  if (!req.complete) {
    res.set('connection', 'close');
    res.once('finish', () => req.destroy());
  }
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * PUT /uploads: the raw body streamed to the model store's temp directory; answers { uploadId,
 * sha256, sizeBytes }. A body over MAX_UPLOAD_BYTES gets 413 PAYLOAD_TOO_LARGE, like an oversized
 * POST /graphql body: at once when its Content-Length says so, else once that many bytes arrived.
 */
function installUploads(http: Express, app: App): void {
  const tooLarge = `the upload exceeds ${MAX_UPLOAD_BYTES} bytes`;
  http.put(UPLOADS_PATH, (req, res) => {
    void (async () => {
      try {
        await app.authorizeHttp(req.header('authorization'), `PUT ${UPLOADS_PATH}`, ['writer', 'worker']);
        if (Number(req.header('content-length') ?? 0) > MAX_UPLOAD_BYTES) {
          sendError(req, res, 413, tooLarge, ERROR_CODES.PAYLOAD_TOO_LARGE);
          return;
        }
        const upload = await app.registry.store.receive(req, MAX_UPLOAD_BYTES);
        res.status(201).json(upload);
      } catch (err) {
        if (err instanceof UploadTooLargeError) {
          sendError(req, res, 413, tooLarge, ERROR_CODES.PAYLOAD_TOO_LARGE);
          return;
        }
        const { error, internal } = getErrorFromUnknown(err);
        if (internal) app.log(`${UPLOADS_PATH}: upload failed:`, err);
        // access control names its status (401/403) on the thrown error; the formatted one drops it
        const status = err instanceof GraphQLError ? (err.extensions.http as { status?: number } | undefined)?.status : undefined;
        sendError(req, res, status ?? (internal ? 500 : 400), error.message, String(error.extensions.code));
      }
    })();
  });
}

/** Puts the app on HTTP and WebSocket (no listening): GraphQL, subscriptions, explorer, /healthz, /uploads. */
async function mountApp(app: App, httpServer: Server, options: StartOptions = {}): Promise<{ http: Express; stop: () => Promise<void> }> {
  const { registry, schema } = app;
  const http = express();
  http.disable('x-powered-by');

  // one WebSocket message is bounded like an HTTP body (ws allows 100 MiB by default)
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: MAX_BODY_BYTES });
  const ws = useServer(
    {
      schema,
      // parses, validates (with the cost limits), authenticates and checks roles; sets the context
      onSubscribe: app.onSubscribe,
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
    parseOptions: app.parseOptions,
    validationRules: app.validationRules,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      errorLogger(app.log),
      ...app.plugins,
      { serverWillStart: () => Promise.resolve({ drainServer: async () => { await ws.dispose(); } }) },
    ],
  });
  await apollo.start();

  http.get('/healthz', (_req, res) => {
    void registry.isDatabaseReachable().then((reachable) => {
      res.status(reachable ? 200 : 503).json({
        status: reachable ? 'ok' : 'unavailable',
        database: { reachable },
        uptimeSeconds: Math.round(process.uptime()),
      });
    });
  });
  http.get(GRAPHQL_PATH, (req, res, next) => {
    const wantsHtml = req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (wantsHtml && req.query.query === undefined) res.type('html').send(explorerHtml(GRAPHQL_PATH));
    else next();
  });
  http.use(
    GRAPHQL_PATH,
    ...graphqlBody(),
    expressMiddleware(apollo, {
      context: ({ req }) => Promise.resolve(app.context(req.header('x-request-id') ?? randomUUID())),
    }),
  );
  installUploads(http, app);
  installWorkerRoutes(http, app);
  installExports(http, app);
  for (const install of options.routes ?? []) await install(http, app);
  return { http, stop: () => apollo.stop() };
}

/** Opens the app (migrations, store, job runner) and serves it. Port 0 picks a free port (tests). */
export async function startServer(config: Config, options: StartOptions = {}): Promise<SpikelabServer> {
  const app = await openApp(config, options.log ? { log: options.log } : {});
  try {
    const httpServer = createServer();
    const { http, stop } = await mountApp(app, httpServer, options);
    httpServer.on('request', (req, res) => void http(req, res));
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      void app.listenHost(config.host).then((host) => httpServer.listen(config.port, host, () => resolve()), reject);
    });
    const { port } = httpServer.address() as AddressInfo;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    return {
      url: `http://${shownHost}:${port}${GRAPHQL_PATH}`,
      port,
      app,
      http,
      httpServer,
      close: async () => {
        await stop();
        await app.close();
      },
    };
  } catch (err) {
    await app.close();
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
  const applied = server.app.registry.appliedMigrations;
  if (applied.length > 0) console.log(`applied migrations: ${applied.join(', ')}`);
  const base = server.url.replace(/\/graphql$/, '/');
  console.log(`Spikelab at ${base} (dashboard); GraphQL at ${server.url}; database ${redactUrl(config.databaseUrl)}, store ${config.storeDir}, backend ${config.backend}`);
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
