// What a zoo spec builds, without building it: the spec's guard (the model spec schema of
// src/formats), the one definition of each architecture run through the shape-only CountNet.
// Imports no compute library, so the registry can size a model on the server's main thread.
import { check, familyOfArchitecture, storedZooSpecSchema, type ModelDescription, type ZooModelSpec } from '../../formats/index.js';
import { CountNet } from './count-net.js';
import { ZooSpecError } from './errors.js';
import type { Net } from './net.js';
import { cnnSmall, vgg } from './plain.js';
import { resnet } from './resnet.js';
import { unet } from './unet.js';

/** The engine's guard: a spec the zoo can interpret (structure; the registry bounds sizes). An ONNX model's spec is refused: its structure is its file. */
export function checkSpec(spec: ZooModelSpec): void {
  if ((spec.architecture as string) === 'onnx') throw new ZooSpecError('an onnx model is not built by the zoo: its structure is its ONNX file (importOnnx)');
  const r = check(storedZooSpecSchema, spec);
  if (!r.ok) throw new ZooSpecError(r.issues.map((i) => `${i.path || 'spec'} ${i.message}`).join('; '));
}

/** Runs the architecture's description on `net` (TfNet builds it, CountNet sizes it). */
export function define<T>(net: Net<T>, spec: ZooModelSpec, notes: string[]): T {
  switch (familyOfArchitecture(spec.architecture)) {
    case 'plain':
      return spec.architecture === 'cnn-small' ? cnnSmall(net, spec) : vgg(net, spec, notes);
    case 'residual':
      return resnet(net, spec);
    case 'encoder-decoder':
      return unet(net, spec);
  }
}

/**
 * Parameter count, MACs per image, output shape and ReLU sites of `spec`, computed by walking the
 * same definition that buildModel uses over shapes only (no weights). Throws ZooSpecError for a
 * spec that cannot be built (e.g. an input too small for the strides).
 */
export function describeModel(spec: ZooModelSpec): ModelDescription {
  checkSpec(spec);
  const net = new CountNet(spec.padding ?? 'same');
  const notes: string[] = [];
  const out = define(net, spec, notes);
  return { family: familyOfArchitecture(spec.architecture), parameterCount: net.params, bufferCount: net.buffers, macs: net.macs, outputShape: out, reluSites: net.reluSites, notes };
}
