// Residual backbones (torchvision layout and names; a separate ReLU layer at every site).
import type { ZooModelSpec } from '../../formats/model.js';
import type { Net } from './net.js';
import { scaled } from './width.js';

export const RESNET_BLOCKS: Record<'resnet18' | 'resnet34' | 'resnet50' | 'resnet101', { bottleneck: boolean; blocks: number[] }> = {
  resnet18: { bottleneck: false, blocks: [2, 2, 2, 2] },
  resnet34: { bottleneck: false, blocks: [3, 4, 6, 3] },
  resnet50: { bottleneck: true, blocks: [3, 4, 6, 3] },
  resnet101: { bottleneck: true, blocks: [3, 4, 23, 3] },
};

function bnOpt<T>(net: Net<T>, x: T, name: string, on: boolean): T {
  return on ? net.bn(x, name) : x;
}

/**
 * ResNet (He et al.; torchvision v1.5: stride on the 3×3 conv of a bottleneck). Stem 'cifar':
 * conv3×3(64)/1; 'imagenet': conv7×7(64)/2 + max-pool 3×3/2. Stages of 64·2^i·m channels,
 * shortcut conv1×1+BN when shape changes, global average pool, linear head. Each block has its own
 * ReLU layers (relu1, relu2[, relu3]) so every activation site is distinct.
 */
export function resnet<T>(net: Net<T>, spec: ZooModelSpec): T {
  const { bottleneck, blocks } = RESNET_BLOCKS[spec.architecture as keyof typeof RESNET_BLOCKS];
  const m = spec.widthMultiplier;
  const bn = spec.batchNorm ?? true;
  const expansion = bottleneck ? 4 : 1;
  let x = net.input(spec.inputShape);
  if ((spec.stem ?? 'cifar') === 'imagenet') {
    x = net.relu(bnOpt(net, net.conv(x, 'conv1', { filters: scaled(64, m), kernel: 7, stride: 2 }), 'bn1', bn), 'relu');
    x = net.maxPool(x, 'maxpool', 3, 2);
  } else {
    x = net.relu(bnOpt(net, net.conv(x, 'conv1', { filters: scaled(64, m), kernel: 3 }), 'bn1', bn), 'relu');
  }
  let inC = scaled(64, m);
  blocks.forEach((n, stage) => {
    const planes = scaled(64 * 2 ** stage, m);
    for (let b = 0; b < n; b++) {
      const p = `layer${stage + 1}.${b}`;
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const outC = planes * expansion;
      let y: T;
      if (bottleneck) {
        y = net.relu(bnOpt(net, net.conv(x, `${p}.conv1`, { filters: planes, kernel: 1 }), `${p}.bn1`, bn), `${p}.relu1`);
        y = net.relu(bnOpt(net, net.conv(y, `${p}.conv2`, { filters: planes, kernel: 3, stride }), `${p}.bn2`, bn), `${p}.relu2`);
        y = bnOpt(net, net.conv(y, `${p}.conv3`, { filters: outC, kernel: 1 }), `${p}.bn3`, bn);
      } else {
        y = net.relu(bnOpt(net, net.conv(x, `${p}.conv1`, { filters: planes, kernel: 3, stride }), `${p}.bn1`, bn), `${p}.relu1`);
        y = bnOpt(net, net.conv(y, `${p}.conv2`, { filters: planes, kernel: 3 }), `${p}.bn2`, bn);
      }
      const sc = stride !== 1 || inC !== outC
        ? bnOpt(net, net.conv(x, `${p}.downsample.0`, { filters: outC, kernel: 1, stride }), `${p}.downsample.1`, bn)
        : x;
      x = net.relu(net.add(y, sc, `${p}.add`), `${p}.relu${bottleneck ? 3 : 2}`);
      inC = outC;
    }
  });
  return net.dense(net.gap(x, 'avgpool'), 'fc', spec.numClasses);
}
