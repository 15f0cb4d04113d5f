// Checkpoints as bytes: a tfjs IOHandler captures model.save() output; loading checks every tensor.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { isZooSpec, type CheckpointManifest, type WeightFormat, type ZooModelSpec } from '../../formats/model.js';
import { buildModel } from '../zoo/index.js';
import { CheckpointFormatError, CheckpointMismatchError, assertFinite } from './errors.js';
import { exportSafetensors, importSafetensors } from './torch.js';

export interface CheckpointBytes {
  manifest: CheckpointManifest;
  weights: Uint8Array;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function joinWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buf = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(buf);
}

/**
 * tf.io.IOHandler over memory: save() keeps the artifacts (topology, weight specs, weight bytes),
 * load() hands them back. Lets model.save / weight loading run through tfjs's own serialisation.
 */
export class BytesIOHandler implements tf.io.IOHandler {
  artifacts: tf.io.ModelArtifacts | null = null;

  constructor(initial?: tf.io.ModelArtifacts) {
    this.artifacts = initial ?? null;
  }

  save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    this.artifacts = artifacts;
    return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
  }

  load(): Promise<tf.io.ModelArtifacts> {
    if (this.artifacts === null) return Promise.reject(new CheckpointFormatError('nothing saved in this handler'));
    return Promise.resolve(this.artifacts);
  }
}

/**
 * Serialises `model` (built from `spec`) to {manifest, weights}. 'tfjs-layers' (default): the bytes
 * tfjs's model.save writes, in manifest.weightSpecs order. 'safetensors': PyTorch layout and names.
 */
export async function saveCheckpoint(model: tfl.LayersModel, spec: ZooModelSpec, format: WeightFormat = 'tfjs-layers'): Promise<CheckpointBytes> {
  let weights: Uint8Array;
  let weightSpecs: CheckpointManifest['weightSpecs'];
  if (format === 'safetensors') {
    weights = exportSafetensors(model, { architecture: spec.architecture });
    weightSpecs = model.weights.map((w) => ({ name: w.originalName, shape: [...(w.shape as number[])], dtype: 'float32' as const }));
  } else {
    const handler = new BytesIOHandler();
    await model.save(handler);
    const art = handler.artifacts!;
    weights = joinWeightData(art.weightData);
    weightSpecs = (art.weightSpecs ?? []).map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype === 'int32' ? 'int32' : 'float32' }));
  }
  return { manifest: { format, spec, weightSpecs, weightsSha256: sha256(weights), createdAt: new Date().toISOString() }, weights };
}

/**
 * Writes checkpoint weights into an existing model, refusing (CheckpointMismatchError: first
 * mismatching name and both shapes) anything that does not match the architecture tensor for tensor,
 * and (CheckpointValueError) any NaN or ±Infinity weight. The bytes' sha256 must equal the manifest's.
 */
export async function loadWeightsInto(model: tfl.LayersModel, ckpt: CheckpointBytes): Promise<void> {
  const { manifest, weights } = ckpt;
  if (sha256(weights) !== manifest.weightsSha256) throw new CheckpointFormatError('weights do not match the manifest sha256');
  if (manifest.format === 'safetensors') {
    importSafetensors(model, weights);
    return;
  }
  const expectedBytes = manifest.weightSpecs.reduce((a, s) => a + 4 * s.shape.reduce((x, y) => x * y, 1), 0);
  if (expectedBytes !== weights.length) throw new CheckpointFormatError(`weight payload has ${weights.length} bytes, the manifest describes ${expectedBytes}`);
  const handler = new BytesIOHandler({ weightSpecs: manifest.weightSpecs, weightData: weights.slice().buffer });
  const art = await handler.load();
  const specs = new Map(manifest.weightSpecs.map((s) => [s.name, s]));
  const used = new Set<string>();
  for (const w of model.weights) {
    const s = specs.get(w.originalName);
    if (s === undefined) throw new CheckpointMismatchError(w.originalName, [...(w.shape as number[])], null);
    if (s.shape.join() !== (w.shape as number[]).join()) throw new CheckpointMismatchError(w.originalName, [...(w.shape as number[])], s.shape);
    used.add(s.name);
  }
  for (const s of manifest.weightSpecs) if (!used.has(s.name)) throw new CheckpointMismatchError(s.name, null, s.shape);
  const tensors = tf.io.decodeWeights(art.weightData!, art.weightSpecs!);
  try {
    for (const w of model.weights) assertFinite(w.originalName, tensors[w.originalName]!.dataSync());
    for (const w of model.weights) w.write(tensors[w.originalName]!);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Builds the zoo model of manifest.spec and loads the checkpoint into it (an ONNX checkpoint is read by importOnnx instead). */
export async function loadCheckpoint(ckpt: CheckpointBytes): Promise<tfl.LayersModel> {
  const { spec } = ckpt.manifest;
  if (!isZooSpec(spec) || ckpt.manifest.format === 'onnx') throw new CheckpointFormatError('an ONNX checkpoint holds a graph, not zoo weights: read it with importOnnx');
  const model = buildModel(spec);
  try {
    await loadWeightsInto(model, ckpt);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
