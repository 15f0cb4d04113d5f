// Plain (feed-forward) backbones: the small 28×28 CNN and the VGG family.
import type { ZooModelSpec } from '../../formats/model.js';
import type { Net } from './net.js';
import { scaled } from './width.js';

type Cfg = (number | 'M')[];
const rep = (n: number, c: number): number[] => Array<number>(n).fill(c);

/** Convolution groups between the five max-pools ("VGG-18" is the study's 2-2-4-4-3 variant). */
export const VGG_CONFIGS: Record<'vgg11' | 'vgg13' | 'vgg16' | 'vgg18', Cfg> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', ...rep(3, 256), 'M', ...rep(3, 512), 'M', ...rep(3, 512), 'M'],
  vgg18: [...rep(2, 64), 'M', ...rep(2, 128), 'M', ...rep(4, 256), 'M', ...rep(4, 512), 'M', ...rep(3, 512), 'M'],
};

/**
 * VGG: 3×3 convs (bias, optional BN, ReLU per site), 2×2/2 max-pools, flatten, one linear layer.
 * A pool whose input is already 1 pixel high or wide is skipped (28×28 inputs: 28→14→7→3→1),
 * and reported in `notes`.
 */
export function vgg<T>(net: Net<T>, spec: ZooModelSpec, notes: string[]): T {
  const cfg = VGG_CONFIGS[spec.architecture as keyof typeof VGG_CONFIGS];
  const bn = spec.batchNorm ?? true;
  let x = net.input(spec.inputShape);
  let i = 0;
  let pool = 0;
  for (const v of cfg) {
    if (v === 'M') {
      const [h, w] = net.shape(x);
      if (h! >= 2 && w! >= 2) x = net.maxPool(x, `features.pool${pool}`, 2, 2);
      else notes.push(`features.pool${pool} skipped: spatial size ${h}×${w}`);
      pool++;
      continue;
    }
    x = net.conv(x, `features.conv${i}`, { filters: scaled(v, spec.widthMultiplier), kernel: 3, bias: true });
    if (bn) x = net.bn(x, `features.bn${i}`);
    x = net.relu(x, `features.relu${i}`);
    i++;
  }
  return net.dense(net.flatten(x, 'flatten'), 'classifier', spec.numClasses);
}

/**
 * Small CNN for 28×28 grey images: conv3×3(32)–ReLU–pool, conv3×3(64)–ReLU–pool, dense(128)–ReLU,
 * linear logits (widths × widthMultiplier; BN after convs only when spec.batchNorm).
 */
export function cnnSmall<T>(net: Net<T>, spec: ZooModelSpec): T {
  const bn = spec.batchNorm ?? false;
  let x = net.input(spec.inputShape);
  for (const [i, c] of [32, 64].entries()) {
    x = net.conv(x, `conv${i + 1}`, { filters: scaled(c, spec.widthMultiplier), kernel: 3, bias: true });
    if (bn) x = net.bn(x, `bn${i + 1}`);
    x = net.relu(x, `relu${i + 1}`);
    x = net.maxPool(x, `pool${i + 1}`, 2, 2);
  }
  x = net.flatten(x, 'flatten');
  x = net.relu(net.dense(x, 'fc1', scaled(128, spec.widthMultiplier)), 'relu3');
  return net.dense(x, 'fc2', spec.numClasses);
}
