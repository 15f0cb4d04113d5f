// Model zoo entry points: build a tfjs LayersModel from a ZooModelSpec, or describe it for free
// (describe.ts, which the registry imports directly: it loads no tfjs).
import * as tfl from '@tensorflow/tfjs-layers';
import type { ZooModelSpec } from '../../formats/model.js';
import { define, describeModel } from './describe.js';
import { initWeights } from './init.js';
import { TfNet } from './tf-net.js';

export { ZooSpecError } from './errors.js';
export { VGG_CONFIGS } from './plain.js';
export { RESNET_BLOCKS } from './resnet.js';
export { initWeights } from './init.js';
export { describeModel } from './describe.js';

/**
 * Builds the functional tfjs model of `spec` (layers only from conversion.md §1, ZeroPadding2D
 * added when spec.padding is 'torch') and initialises it deterministically from `seed` (default 0).
 */
export function buildModel(spec: ZooModelSpec, opts: { seed?: number; name?: string } = {}): tfl.LayersModel {
  describeModel(spec); // validates sizes with clear messages before tfjs sees them
  const net = new TfNet(spec.padding ?? 'same');
  const output = define(net, spec, []);
  const model = tfl.model({ inputs: net.inputs, outputs: output, name: opts.name ?? spec.architecture });
  initWeights(model, opts.seed ?? 0);
  return model;
}
