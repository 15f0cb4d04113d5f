// Encoder–decoder backbone for binary segmentation.
import type { ZooModelSpec } from '../../formats/model.js';
import { ZooSpecError } from './errors.js';
import type { Net } from './net.js';
import { scaled } from './width.js';

function doubleConv<T>(net: Net<T>, x: T, p: string, c: number, bn: boolean): T {
  for (const i of [1, 2]) {
    x = net.conv(x, `${p}.conv${i}`, { filters: c, kernel: 3, bias: !bn });
    if (bn) x = net.bn(x, `${p}.bn${i}`);
    x = net.relu(x, `${p}.relu${i}`);
  }
  return x;
}

/**
 * UNet (Ronneberger et al., 'same' padding): `depth` levels of double 3×3 conv + 2×2 max-pool
 * with baseWidth·2^i·m channels, a bottleneck double conv, then per level a 2×2/2 transposed conv,
 * concatenation with the skip [skip, up] and a double conv; 1×1 conv head + sigmoid.
 * H and W must be divisible by 2^depth.
 */
export function unet<T>(net: Net<T>, spec: ZooModelSpec): T {
  const depth = spec.depth ?? 4;
  const base = spec.baseWidth ?? 64;
  const bn = spec.batchNorm ?? true;
  const [h, w] = spec.inputShape;
  if (!Number.isInteger(depth) || depth < 1) throw new ZooSpecError(`unet depth must be a positive integer, got ${depth}`);
  if (h % 2 ** depth !== 0 || w % 2 ** depth !== 0) {
    throw new ZooSpecError(`unet depth ${depth} needs H and W divisible by ${2 ** depth}; input is ${h}×${w}`);
  }
  const ch = (i: number): number => scaled(base * 2 ** i, spec.widthMultiplier);
  let x = net.input(spec.inputShape);
  const skips: T[] = [];
  for (let i = 0; i < depth; i++) {
    x = doubleConv(net, x, `enc${i}`, ch(i), bn);
    skips.push(x);
    x = net.maxPool(x, `pool${i}`, 2, 2);
  }
  x = doubleConv(net, x, 'bottleneck', ch(depth), bn);
  for (let i = depth - 1; i >= 0; i--) {
    const up = net.convT(x, `up${i}`, ch(i));
    x = doubleConv(net, net.concat(skips[i]!, up, `cat${i}`), `dec${i}`, ch(i), bn);
  }
  return net.sigmoid(net.conv(x, 'head', { filters: spec.numClasses, kernel: 1, bias: true }), 'head.sigmoid');
}
