// Model zoo entry points: build a tfjs LayersModel from a ModelSpec, or describe it for free.
import * as tfl from '@tensorflow/tfjs-layers';
import type { Architecture, ModelDescription, ModelFamily, ModelSpec } from '../../formats/model.js';
import { ZooSpecError } from './errors.js';
import { initWeights } from './init.js';
import { CountNet, TfNet, type Net } from './net.js';
import { cnnSmall, vgg } from './plain.js';
import { resnet } from './resnet.js';
import { unet } from './unet.js';

export { ZooSpecError } from './errors.js';
export { VGG_CONFIGS } from './plain.js';
export { RESNET_BLOCKS } from './resnet.js';
export { initWeights } from './init.js';

export const ARCHITECTURES: readonly Architecture[] = [
  'cnn-small', 'vgg11', 'vgg13', 'vgg16', 'vgg18', 'resnet18', 'resnet34', 'resnet50', 'resnet101', 'unet',
];

/** plain: feed-forward (cnn-small, VGG); residual: ResNets; encoder-decoder: UNet. */
export function modelFamily(architecture: Architecture): ModelFamily {
  switch (architecture) {
    case 'cnn-small':
    case 'vgg11':
    case 'vgg13':
    case 'vgg16':
    case 'vgg18':
      return 'plain';
    case 'resnet18':
    case 'resnet34':
    case 'resnet50':
    case 'resnet101':
      return 'residual';
    case 'unet':
      return 'encoder-decoder';
  }
}

function validate(spec: ModelSpec): void {
  if (!ARCHITECTURES.includes(spec.architecture)) throw new ZooSpecError(`unknown architecture '${String(spec.architecture)}'`);
  const s = spec.inputShape;
  if (!Array.isArray(s) || s.length !== 3 || s.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ZooSpecError(`inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(s)}`);
  }
  if (!Number.isInteger(spec.numClasses) || spec.numClasses < 1) throw new ZooSpecError(`numClasses must be a positive integer, got ${spec.numClasses}`);
  if (!(spec.widthMultiplier > 0)) throw new ZooSpecError(`widthMultiplier must be > 0, got ${spec.widthMultiplier}`);
  if (modelFamily(spec.architecture) === 'encoder-decoder' && spec.numClasses !== 1) {
    throw new ZooSpecError(`unet is a binary segmentation model: numClasses must be 1, got ${spec.numClasses}`);
  }
}

function define<T>(net: Net<T>, spec: ModelSpec, notes: string[]): T {
  switch (modelFamily(spec.architecture)) {
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
  validate(spec);
  const net = new CountNet(spec.padding ?? 'same');
  const notes: string[] = [];
  const out = define(net, spec, notes);
  return { family: modelFamily(spec.architecture), parameterCount: net.params, bufferCount: net.buffers, macs: net.macs, outputShape: out, reluSites: net.reluSites, notes };
}

/**
 * Builds the functional tfjs model of `spec` (layers only from conversion.md §1, ZeroPadding2D
 * added when spec.padding is 'torch') and initialises it deterministically from `seed` (default 0).
 */
export function buildModel(spec: ModelSpec, opts: { seed?: number; name?: string } = {}): tfl.LayersModel {
  describeModel(spec); // validates sizes with clear messages before tfjs sees them
  const net = new TfNet(spec.padding ?? 'same');
  const output = define(net, spec, []);
  const model = tfl.model({ inputs: net.inputs, outputs: output, name: opts.name ?? spec.architecture });
  initWeights(model, opts.seed ?? 0);
  return model;
}
