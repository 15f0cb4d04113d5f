// importCheckpoint: weights from the server's disk, uploaded as base64 or streamed to PUT /uploads,
// checked tensor by tensor against the model's architecture in a short-lived worker thread (tfjs
// never loads on the event loop), then stored through the registry. Files on the server's disk are
// read only under the data roots, within READ_BOUNDS; an upload was bounded when PUT /uploads took it.
import { dirname, resolve } from 'node:path';
import { FileAccessError } from '../data/errors.js';
import { READ_BOUNDS, readBoundedFile, resolveUnderRoots } from '../data/files.js';
import { isZooSpec, type CheckpointManifest, type ZooModelSpec } from '../formats/index.js';
import type { Checkpoint } from '../registry/records.js';
import { InvalidInputError } from '../registry/errors.js';
import type { JobEnv } from './execution.js';
import type { FromWorker } from './messages.js';
import { WorkerSlot } from './slot.js';

export interface ImportCheckpointParams {
  modelId: number;
  format: 'safetensors' | 'tfjs-layers';
  /** safetensors: the .safetensors file; tfjs-layers: model.json (weights manifest + .bin files beside it). */
  path?: string | null;
  /** The weights payload, base64 (safetensors file, or tfjs-layers weight bytes with weightSpecs). */
  base64?: string | null;
  /** The weights payload streamed to PUT /uploads (same content as base64; for large files). */
  uploadId?: string | null;
  weightSpecs?: CheckpointManifest['weightSpecs'] | null;
  aliases?: string[] | null;
  source?: string | null;
}

type WeightSpecs = CheckpointManifest['weightSpecs'];

interface TfjsModelJson {
  weightsManifest: { paths: string[]; weights: WeightSpecs }[];
}

function isTfjsModelJson(v: unknown): v is TfjsModelJson {
  const m = (v as { weightsManifest?: unknown } | null)?.weightsManifest;
  return Array.isArray(m) && m.every((g: { paths?: unknown; weights?: unknown }) => Array.isArray(g.paths) && g.paths.every((p) => typeof p === 'string') && Array.isArray(g.weights));
}

/**
 * A tfjs-layers model.json and the weight shards it names. Every file (shards too) must be a regular
 * file under the data roots; errors say what is wrong in our words, never quoting the file.
 */
async function readTfjsModelJson(path: string, roots: readonly string[]): Promise<{ weights: Uint8Array; weightSpecs: WeightSpecs }> {
  const text = (await readBoundedFile(path, READ_BOUNDS.json)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError('path', `${path} is not JSON (a tfjs-layers import reads a model.json)`);
  }
  if (!isTfjsModelJson(json)) throw new InvalidInputError('path', `${path} has no valid weightsManifest (not a tfjs-layers model.json)`);
  const parts: Uint8Array[] = [];
  const weightSpecs: WeightSpecs = [];
  let total = 0;
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const shard = await readBoundedFile(await resolveUnderRoots(resolve(dirname(path), p), roots, 'file'), READ_BOUNDS.weights);
      total += shard.length;
      if (total > READ_BOUNDS.weights.maxBytes) throw new InvalidInputError('path', `the weight shards of ${path} exceed ${READ_BOUNDS.weights.maxBytes} bytes`);
      parts.push(shard);
    }
    weightSpecs.push(...group.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype })));
  }
  return { weights: Buffer.concat(parts), weightSpecs };
}

async function payload(env: JobEnv, p: ImportCheckpointParams): Promise<{ weights: Uint8Array; weightSpecs: WeightSpecs | null }> {
  if ([p.path, p.base64, p.uploadId].filter((v) => v != null).length !== 1) {
    throw new InvalidInputError('path', 'give exactly one of path (a file on the server), base64 (uploaded bytes) or uploadId (bytes sent to PUT /uploads)');
  }
  if (p.base64 != null || p.uploadId != null) {
    const weights = p.uploadId != null ? await env.registry.store.readUpload(p.uploadId) : Buffer.from(p.base64!, 'base64');
    if (weights.length === 0) throw new InvalidInputError('base64', 'empty or not base64');
    if (p.format === 'tfjs-layers' && !p.weightSpecs) throw new InvalidInputError('weightSpecs', 'tfjs-layers bytes need their weightSpecs');
    return { weights, weightSpecs: p.weightSpecs ?? null };
  }
  const roots = env.registry.dataRoots;
  try {
    const path = await resolveUnderRoots(p.path!, roots, 'file');
    if (p.format === 'tfjs-layers') return await readTfjsModelJson(path, roots);
    return { weights: await readBoundedFile(path, READ_BOUNDS.weights), weightSpecs: null };
  } catch (err) {
    if (err instanceof FileAccessError) throw new InvalidInputError('path', err.message);
    if (err instanceof InvalidInputError) throw err;
    throw new InvalidInputError('path', `cannot read ${resolve(p.path!)}`);
  }
}

/** The client's message for a refused checkpoint: our typed errors as they are, anything else without its internals. */
function refusalOf(m: { name: string; message: string }, architecture: string, format: string): string {
  if (m.name === 'CheckpointMismatchError') return `does not fit ${architecture}: ${m.message}`;
  if (m.name === 'CheckpointFormatError' || m.name === 'CheckpointValueError') return m.message;
  return `not a valid ${format} checkpoint for ${architecture}`;
}

/** Runs the validation task in a fresh worker; resolves with the manifest or the refusal. */
function validate(env: JobEnv, spec: ZooModelSpec, format: ImportCheckpointParams['format'], weights: Uint8Array, weightSpecs: WeightSpecs | null): Promise<Omit<CheckpointManifest, 'weightsSha256'>> {
  const slot = new WorkerSlot(-1, env.backend, env.log);
  return new Promise<Omit<CheckpointManifest, 'weightsSha256'>>((ok, fail) => {
    void slot.run(0, env.backend, { kind: 'validate', spec, format, weights: weights.slice(), weightSpecs }, {
      onMessage: (m: FromWorker) => {
        if (m.type === 'done' && m.manifest) ok(m.manifest);
        else if (m.type === 'error') fail(new InvalidInputError('weights', refusalOf(m, spec.architecture, format)));
      },
      onCrash: (reason) => fail(new Error(`checkpoint validation crashed: ${reason}`)),
    });
  }).finally(() => void slot.terminate(true));
}

export async function importCheckpoint(env: JobEnv, p: ImportCheckpointParams): Promise<Checkpoint> {
  try {
    const model = await env.registry.models.get(p.modelId);
    if (!isZooSpec(model.spec)) throw new InvalidInputError('modelId', `model ${model.name} was imported from an ONNX file; importCheckpoint reads zoo weights (safetensors, tfjs-layers): import another ONNX file with importOnnxModel`);
    const { weights, weightSpecs } = await payload(env, p);
    const manifest = await validate(env, model.spec, p.format, weights, weightSpecs);
    return await env.registry.checkpoints.create({
      modelId: model.id,
      weights,
      manifest,
      source: p.source ?? (p.path ? `imported from ${p.path}` : 'uploaded'),
      aliases: p.aliases ?? [],
    });
  } finally {
    if (p.uploadId != null) await env.registry.store.discardUpload(p.uploadId);
  }
}
