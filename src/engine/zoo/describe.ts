// What a zoo spec builds, without building it: the spec's guard (the model spec schema of
// src/formats), the one definition of each architecture run through the shape-only CountNet.
// Imports no compute library, so the registry can size a model on the server's main thread.
import { check, familyOfArchitecture, storedModelSpecSchema, type ModelDescription, type ModelSpec } from '../../formats/index.js';
import { CountNet } from './count-net.js';
import { ZooSpecError } from './errors.js';
import type { Net } from './net.js';
import { cnnSmall, vgg } from './plain.js';
import { resnet } from './resnet.js';
import { unet } from './unet.js';

/** The engine's guard: a spec the zoo can interpret (structure; the registry bounds sizes). */
export function checkSpec(spec: ModelSpec): void {
  const r = check(storedModelSpecSchema, spec);
  if (!r.ok) throw new ZooSpecError(r.issues.map((i) => `${i.path || 'spec'} ${i.message}`).join('; '));
}

/** Runs the architecture's description on `net` (TfNet builds it, CountNet sizes it). */
export function define<T>(net: Net<T>, spec: ModelSpec, notes: string[]): T {
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
export function describeModel(spec: ModelSpec): ModelDescription {
  checkSpec(spec);
  const net = new CountNet(spec.padding ?? 'same');
  const notes: string[] = [];
  const out = define(net, spec, notes);
  return { family: familyOfArchitecture(spec.architecture), parameterCount: net.params, bufferCount: net.buffers, macs: net.macs, outputShape: out, reluSites: net.reluSites, notes };
}
