// GET /exports/checkpoints/:id/ann.onnx and GET /exports/conversion-runs/:id/snn.onnx: standalone
// ONNX files built on demand in a worker thread (src/jobs/export.ts), authenticated like queries
// (reader role once tokens exist). Errors are JSON shaped like GraphQL errors, with the status of
// their code.
import type { Express, Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import type { App } from './app.js';
import { getErrorFromUnknown } from './graphql/errors.js';
import { EXPORTS_PATH } from './graphql/export-paths.js';
import type { ExportFile } from './jobs/export.js';
import { parseId } from './registry/pagination.js';

const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, STORE_CORRUPTED: 500, INTERNAL_SERVER_ERROR: 500 };

function route(http: Express, app: App, path: string, build: (id: number) => Promise<ExportFile>): void {
  http.get(path, (req: Request, res: Response) => {
    void (async () => {
      try {
        await app.authorizeHttp(req.header('authorization'), `GET ${req.path}`, ['reader']);
        const file = await build(parseId(String(req.params.id), 'id'));
        res.status(200);
        res.setHeader('content-type', 'application/octet-stream');
        res.setHeader('content-disposition', `attachment; filename="${file.filename}"`);
        res.setHeader('content-length', String(file.bytes.byteLength));
        res.end(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
      } catch (err) {
        const { error, internal } = getErrorFromUnknown(err);
        if (internal) app.log(`GET ${req.path}: export failed:`, err);
        const code = String(error.extensions.code);
        // access control names its status (401/403) on the thrown error
        const status = (err instanceof GraphQLError ? (err.extensions.http as { status?: number } | undefined)?.status : undefined) ?? STATUS[code] ?? 500;
        res.status(status).json({ errors: [{ message: error.message, extensions: { code, ...(error.extensions.field !== undefined && { field: error.extensions.field }) } }] });
      }
    })();
  });
}

/** Installs both export routes. */
export function installExports(http: Express, app: App): void {
  const ctx = (): ReturnType<App['context']> => app.context();
  route(http, app, `${EXPORTS_PATH}/checkpoints/:id/ann.onnx`, (id) => ctx().exportAnn(id));
  route(http, app, `${EXPORTS_PATH}/conversion-runs/:id/snn.onnx`, (id) => ctx().exportSnn(id));
}
