// Downloads for remote job workers (`spikelab worker`), worker role (or admin; any local caller
// while no token exists): GET /worker/blobs/<sha256> is a live checkpoint's file, verified against
// its hash; GET /worker/datasets/<id>/file?name=<name> is one of the files the data set's format
// reads (the names a claimed task lists). Errors are JSON like GraphQL errors.
import type { Express, Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import type { App } from './app.js';
import { getErrorFromUnknown } from './graphql/errors.js';
import { openDatasetFile, readCheckpointBlob } from './jobs/remote-files.js';
import { InvalidInputError } from './registry/errors.js';

export const WORKER_ROUTES = { blob: '/worker/blobs/:sha256', datasetFile: '/worker/datasets/:id/file' } as const;

function fail(app: App, req: Request, res: Response, err: unknown): void {
  const { error, internal } = getErrorFromUnknown(err);
  if (internal) app.log(`${req.path}: download failed:`, err);
  const code = String(error.extensions.code);
  const status = err instanceof GraphQLError ? ((err.extensions.http as { status?: number } | undefined)?.status ?? 400) : code === 'NOT_FOUND' ? 404 : internal ? 500 : 400;
  if (!res.headersSent) res.status(status).json({ errors: [{ message: error.message, extensions: { code } }] });
  else res.destroy();
}

export function installWorkerRoutes(http: Express, app: App): void {
  http.get(WORKER_ROUTES.blob, (req, res) => {
    void (async () => {
      try {
        await app.authorizeHttp(req.header('authorization'), `GET ${req.path}`, ['worker']);
        const sha256 = String(req.params.sha256);
        if (!/^[0-9a-f]{64}$/.test(sha256)) throw new InvalidInputError('sha256', 'must be a lowercase hex sha256');
        const bytes = await readCheckpointBlob(app.registry, sha256);
        res.status(200).type('application/octet-stream').set('content-length', String(bytes.length)).end(bytes);
      } catch (err) {
        fail(app, req, res, err);
      }
    })();
  });
  http.get(WORKER_ROUTES.datasetFile, (req, res) => {
    void (async () => {
      try {
        await app.authorizeHttp(req.header('authorization'), `GET ${req.path}`, ['worker']);
        const id = Number(req.params.id);
        const name = typeof req.query.name === 'string' ? req.query.name : '';
        if (!Number.isInteger(id) || id < 1) throw new InvalidInputError('id', 'must be a data set id');
        if (!name) throw new InvalidInputError('name', 'give the file name (?name=…)');
        const { stream, size } = await openDatasetFile(app.registry, id, name);
        res.status(200).type('application/octet-stream').set('content-length', String(size));
        stream.on('error', (err) => fail(app, req, res, err));
        stream.pipe(res);
      } catch (err) {
        fail(app, req, res, err);
      }
    })();
  });
}
