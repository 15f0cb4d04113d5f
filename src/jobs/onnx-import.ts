// importOnnxModel: an ONNX file from the server's disk, uploaded as base64 or streamed to PUT
// /uploads, is read by the engine in a worker thread (importOnnx: any architecture built from the
// supported operations), then registered as a model with the file as its first checkpoint. Every
// refusal (options, name, unreadable or unsupported file, size) comes before anything is stored.
// A file on the server's disk is read only under the data roots, within the ONNX size bound.
import { FileAccessError } from '../data/errors.js';
import { READ_BOUNDS, readBoundedFile, resolveUnderRoots } from '../data/files.js';
import { ONNX_FILE_MAX_BYTES } from '../formats/index.js';
import { InvalidInputError } from '../registry/errors.js';
import type { ImportedGraph, ImportedModel, ImportOnnxOptions, ImportOnnxOptionsParams } from '../registry/onnx-models.js';
import type { JobEnv } from './execution.js';
import { type OneShotTasks, WorkerTaskError } from './one-shot.js';

export interface ImportOnnxModelParams extends ImportOnnxOptionsParams {
  /** An .onnx file on the server (under the data roots). */
  path?: string | null;
  /** The file's bytes, base64 (small files). */
  base64?: string | null;
  /** The file streamed to PUT /uploads first (large files). */
  uploadId?: string | null;
}

/** The importer's refusals (src/engine/onnx/errors.ts), by class name as the worker reports them. */
const REFUSALS = new Set(['OnnxImportError', 'OnnxFormatError', 'OnnxUnsupportedError', 'OnnxShapeError']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type FileField = 'path' | 'base64' | 'uploadId';

async function fileOf(env: JobEnv, p: ImportOnnxModelParams): Promise<{ bytes: Uint8Array; field: FileField }> {
  if ([p.path, p.base64, p.uploadId].filter((v) => v != null).length !== 1) {
    throw new InvalidInputError('path', 'give exactly one of path (an .onnx file on the server), base64 (its bytes) or uploadId (the file sent to PUT /uploads)');
  }
  let bytes: Uint8Array;
  let field: FileField;
  if (p.uploadId != null) {
    field = 'uploadId';
    bytes = await env.registry.store.readUpload(p.uploadId);
  } else if (p.base64 != null) {
    field = 'base64';
    const text = p.base64.replace(/\s+/g, '');
    if (!BASE64.test(text)) throw new InvalidInputError(field, 'is not base64');
    bytes = Buffer.from(text, 'base64');
  } else {
    field = 'path';
    try {
      const path = await resolveUnderRoots(p.path!, env.registry.dataRoots, 'file');
      bytes = await readBoundedFile(path, { maxBytes: ONNX_FILE_MAX_BYTES, timeoutMs: READ_BOUNDS.weights.timeoutMs });
    } catch (err) {
      if (err instanceof FileAccessError) throw new InvalidInputError(field, err.message);
      throw err;
    }
  }
  if (bytes.length === 0) throw new InvalidInputError(field, 'the file is empty');
  if (bytes.length > ONNX_FILE_MAX_BYTES) throw new InvalidInputError(field, `the file has ${bytes.length} bytes; an ONNX import reads at most ${ONNX_FILE_MAX_BYTES}`);
  return { bytes, field };
}

/**
 * The importer speaks of the engine's [C, H, W]; the API's inputShape is [height, width, channels]
 * like every model's (createModel, datasets): its messages are put in the API's terms.
 */
export function inApiTerms(message: string, inputShape: readonly [number, number, number] | null | undefined): string {
  let out = message.replaceAll('give the input shape [C, H, W]', 'give inputShape [height, width, channels]');
  if (inputShape) {
    const [h, w, c] = inputShape;
    out = out.replaceAll(`inputShape [${[c, h, w].join(', ')}]`, `inputShape [${[h, w, c].join(', ')}]`);
  }
  return out;
}

/** importOnnx in a worker: what the registry stores, or the importer's refusal as InvalidInputError(field). */
async function describe(tasks: OneShotTasks, bytes: Uint8Array, o: ImportOnnxOptions, field: FileField): Promise<ImportedGraph> {
  const copy = new Uint8Array(bytes); // a copy to transfer (a Buffer's slice() would share, then detach, its memory)
  let d;
  try {
    d = (await tasks.run({ kind: 'onnx-inspect', bytes: copy, inputShape: o.inputShape ?? null, numClasses: o.numClasses ?? null }, [copy.buffer])).onnx;
  } catch (err) {
    if (err instanceof WorkerTaskError && REFUSALS.has(err.errorName)) throw new InvalidInputError(field, inApiTerms(err.message, o.inputShape));
    throw err;
  }
  if (!d) throw new Error('the ONNX reader answered without a description');
  return {
    spec: { architecture: 'onnx', inputShape: d.inputShape, numClasses: d.numClasses, task: d.task },
    family: d.family,
    parameterCount: d.parameterCount,
    macs: d.macs,
    origin: d.origin,
  };
}

/** Registers an ONNX file as a model (architecture 'onnx') with its first checkpoint; an upload is consumed either way. */
export async function importOnnxModel(env: JobEnv, tasks: OneShotTasks, p: ImportOnnxModelParams): Promise<ImportedModel> {
  try {
    const { path: _path, base64: _base64, uploadId: _uploadId, ...options } = p;
    const o = await env.registry.onnxModels.checkOptions(options);
    const { bytes, field } = await fileOf(env, p);
    const graph = await describe(tasks, bytes, o, field);
    return await env.registry.onnxModels.register({ ...o, source: o.source ?? (p.path != null ? `imported from ${p.path}` : 'uploaded') }, graph, bytes);
  } finally {
    if (p.uploadId != null) await env.registry.store.discardUpload(p.uploadId);
  }
}
