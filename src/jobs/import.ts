// importCheckpoint: weights from the server's disk, uploaded as base64 or streamed to PUT /uploads,
// checked tensor by tensor against the model's architecture in a short-lived worker thread (tfjs
// never loads on the event loop), then stored through the registry.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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

async function readTfjsModelJson(path: string): Promise<{ weights: Uint8Array; weightSpecs: WeightSpecs }> {
  const json = JSON.parse(await readFile(path, 'utf8')) as { weightsManifest?: { paths: string[]; weights: WeightSpecs }[] };
  if (!Array.isArray(json.weightsManifest)) throw new InvalidInputError('path', `${path} has no weightsManifest (not a tfjs model.json)`);
  const parts: Uint8Array[] = [];
  const weightSpecs: WeightSpecs = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) parts.push(await readFile(join(dirname(path), p)));
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
  const path = resolve(p.path!);
  try {
    if (p.format === 'tfjs-layers') return await readTfjsModelJson(path);
    return { weights: await readFile(path), weightSpecs: null };
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    throw new InvalidInputError('path', `cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Runs the validation task in a fresh worker; resolves with the manifest or the refusal. */
function validate(env: JobEnv, spec: ZooModelSpec, format: ImportCheckpointParams['format'], weights: Uint8Array, weightSpecs: WeightSpecs | null): Promise<Omit<CheckpointManifest, 'weightsSha256'>> {
  const slot = new WorkerSlot(-1, env.backend, env.log);
  return new Promise<Omit<CheckpointManifest, 'weightsSha256'>>((ok, fail) => {
    void slot.run(0, env.backend, { kind: 'validate', spec, format, weights: weights.slice(), weightSpecs }, {
      onMessage: (m: FromWorker) => {
        if (m.type === 'done' && m.manifest) ok(m.manifest);
        else if (m.type === 'error') fail(new InvalidInputError('weights', `does not fit ${spec.architecture}: ${m.message}`));
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
