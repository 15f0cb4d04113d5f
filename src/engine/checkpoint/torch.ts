// Import / export of PyTorch state_dicts stored as safetensors.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointMismatchError, assertFinite } from './errors.js';
import { torchEntries } from './layout.js';
import { parseSafetensors, writeSafetensors } from './safetensors.js';

export interface ImportOptions {
  /** Maps a name in the file to the zoo's torch-style name (e.g. 'module.' prefixes, other model zoos). */
  rename?: (name: string) => string;
  /** Accept tensors the model does not use (default false: refused like any mismatch). */
  allowExtra?: boolean;
}

/** Exports `model`'s weights as a PyTorch-layout safetensors file (names: layer.weight/bias/running_*). */
export function exportSafetensors(model: tfl.LayersModel, metadata?: Record<string, string>): Uint8Array {
  const tensors = torchEntries(model).map((e) => ({ name: e.torchName, shape: e.torchShape, values: e.toTorch(Float32Array.from(e.weight.read().dataSync())) }));
  return writeSafetensors(tensors, { format: 'pt', ...(metadata ?? {}) });
}

/**
 * Loads a PyTorch-layout safetensors state_dict into `model` after checking every tensor: the first
 * missing, mis-shaped or (unless allowExtra) unexpected tensor raises CheckpointMismatchError with
 * its name and both shapes, and nothing is written; a NaN or ±Infinity value raises
 * CheckpointValueError. num_batches_tracked is ignored.
 */
export function importSafetensors(model: tfl.LayersModel, bytes: Uint8Array, opts: ImportOptions = {}): void {
  const file = parseSafetensors(bytes);
  const byName = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const t of file.tensors.values()) {
    const name = opts.rename ? opts.rename(t.name) : t.name;
    if (name.endsWith('num_batches_tracked')) continue;
    byName.set(name, t);
  }
  const entries = torchEntries(model);
  const used = new Set<string>();
  for (const e of entries) {
    const t = byName.get(e.torchName);
    if (t === undefined) throw new CheckpointMismatchError(e.torchName, e.torchShape, null);
    if (t.shape.join() !== e.torchShape.join()) throw new CheckpointMismatchError(e.torchName, e.torchShape, t.shape);
    used.add(e.torchName);
  }
  if (!opts.allowExtra) {
    for (const [name, t] of byName) if (!used.has(name)) throw new CheckpointMismatchError(name, null, t.shape);
  }
  for (const e of entries) assertFinite(e.torchName, byName.get(e.torchName)!.values);
  for (const e of entries) {
    const t = tf.tensor(e.fromTorch(byName.get(e.torchName)!.values), e.weight.shape as number[]);
    e.weight.write(t);
    t.dispose();
  }
}
