import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/engine/backend/index.js';
import { annMacs, foldBatchNorm } from '../../../src/engine/conversion/index.js';
import { extractGraph } from '../../../src/engine/ir/index.js';
import { buildModel, describeModel, ZooSpecError } from '../../../src/engine/zoo/index.js';
import { ZOO_ARCHITECTURES, familyOfArchitecture, type ZooModelSpec } from '../../../src/formats/model.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const conv = (k: number, cin: number, cout: number, bias: boolean) => k * k * cin * cout + (bias ? cout : 0);
const bn = (c: number) => 2 * c;

/** ResNet-18 CIFAR by formula (torchvision-style blocks, 1×1+BN shortcut on shape change). */
function resnet18CifarParams(classes: number): number {
  let p = conv(3, 3, 64, false) + bn(64);
  let inC = 64;
  for (const [s, planes] of [64, 128, 256, 512].entries()) {
    for (let b = 0; b < 2; b++) {
      p += conv(3, inC, planes, false) + bn(planes) + conv(3, planes, planes, false) + bn(planes);
      if (s > 0 && b === 0) p += conv(1, inC, planes, false) + bn(planes);
      inC = planes;
    }
  }
  return p + 512 * classes + classes;
}

function vggParams(cfg: (number | 'M')[], classes: number, inC = 3): number {
  let p = 0;
  let c = inC;
  for (const v of cfg) if (v !== 'M') { p += conv(3, c, v, true) + bn(v); c = v; }
  return p + c * classes + classes;
}

describe('parameter counts at reference configurations', () => {
  it('ResNet-18 CIFAR, width 1, 10 classes = 11,173,962 (formula and published)', () => {
    expect(resnet18CifarParams(10)).toBe(11173962);
    expect(describeModel({ architecture: 'resnet18', inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1, stem: 'cifar' }).parameterCount).toBe(11173962);
  });

  it('torchvision ImageNet ResNets match their published counts and MACs', () => {
    const ref: [ZooModelSpec['architecture'], number, number][] = [
      ['resnet18', 11689512, 1.814e9], ['resnet34', 21797672, 3.664e9], ['resnet50', 25557032, 4.089e9], ['resnet101', 44549160, 7.801e9],
    ];
    for (const [architecture, params, macs] of ref) {
      const d = describeModel({ architecture, inputShape: [224, 224, 3], numClasses: 1000, widthMultiplier: 1, stem: 'imagenet' });
      expect(d.parameterCount).toBe(params);
      expect(Math.abs(d.macs - macs) / macs).toBeLessThan(1e-3);
      expect(d.family).toBe('residual');
    }
  });

  it('VGG-16 (BN, CIFAR) = 14,728,266 and VGG-18 follows 2-2-4-4-3', () => {
    const v16 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as (number | 'M')[];
    expect(vggParams(v16, 10)).toBe(14728266);
    expect(describeModel({ architecture: 'vgg16', inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1 }).parameterCount).toBe(14728266);
    const v18 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 'M'] as (number | 'M')[];
    const d = describeModel({ architecture: 'vgg18', inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1 });
    expect(d.parameterCount).toBe(vggParams(v18, 10));
    expect(d.reluSites).toBe(15);
  });

  it('UNet depth 4, base 64, 1 input channel (BN, bias-free convs)', () => {
    const dc = (cin: number, c: number) => conv(3, cin, c, false) + bn(c) + conv(3, c, c, false) + bn(c);
    let p = dc(1, 64) + dc(64, 128) + dc(128, 256) + dc(256, 512) + dc(512, 1024);
    for (const c of [512, 256, 128, 64]) p += 4 * 2 * c * c + c + dc(2 * c, c);
    p += 64 + 1;
    const d = describeModel({ architecture: 'unet', inputShape: [64, 64, 1], numClasses: 1, widthMultiplier: 1, depth: 4, baseWidth: 64 });
    expect(d.parameterCount).toBe(p);
    expect(d.family).toBe('encoder-decoder');
    expect(d.outputShape).toEqual([64, 64, 1]);
  });
});

describe('every architecture builds and runs at its smallest width', () => {
  const specs: ZooModelSpec[] = ZOO_ARCHITECTURES.map((architecture) =>
    architecture === 'unet'
      ? { architecture, inputShape: [16, 16, 1], numClasses: 1, widthMultiplier: 1 / 16, depth: 2 }
      : architecture === 'cnn-small'
        ? { architecture, inputShape: [28, 28, 1], numClasses: 10, widthMultiplier: 0.125 }
        : { architecture, inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1 / 16 },
  );
  specs.push({ architecture: 'resnet18', inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1 / 16, stem: 'imagenet', padding: 'torch' });
  specs.push({ architecture: 'vgg11', inputShape: [28, 28, 1], numClasses: 10, widthMultiplier: 1 / 16 });

  it.each(specs.map((s) => [`${s.architecture}${s.stem ? `/${s.stem}` : ''} ${s.inputShape.join('×')}`, s] as const))('%s', (_, spec) => {
    const before = tf.memory().numTensors;
    const model = buildModel(spec);
    const d = describeModel(spec);
    const trainable = model.trainableWeights.reduce((a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1), 0);
    expect(trainable).toBe(d.parameterCount);
    expect(model.countParams() - trainable).toBe(d.bufferCount);
    expect(model.outputs[0]!.shape.slice(1)).toEqual(d.outputShape);
    const relus = model.layers.filter((l) => l.getClassName() === 'ReLU');
    expect(relus.length).toBe(d.reluSites);
    // Convertible: the conversion engine extracts and folds it, and counts the same MACs.
    const graph = extractGraph(model);
    expect(() => foldBatchNorm(graph)).not.toThrow();
    expect(annMacs(graph)).toBe(d.macs);
    const y = tf.tidy(() => model.predict(tf.randomNormal([2, ...spec.inputShape])) as tf.Tensor);
    expect(y.shape).toEqual([2, ...d.outputShape]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    y.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('specs and seeds', () => {
  it('same seed → same weights; another seed → different', () => {
    const spec: ZooModelSpec = { architecture: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, widthMultiplier: 0.25 };
    const [a, b, c] = [buildModel(spec, { seed: 1 }), buildModel(spec, { seed: 1 }), buildModel(spec, { seed: 2 })];
    const w = (m: typeof a) => Array.from(m.getWeights()[0]!.dataSync().slice(0, 20));
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('refuses specs it cannot build, clearly', () => {
    expect(() => describeModel({ architecture: 'unet', inputShape: [30, 30, 1], numClasses: 1, widthMultiplier: 1, depth: 2 })).toThrow(/divisible by 4; input is 30×30/);
    expect(() => describeModel({ architecture: 'cnn-small', inputShape: [2, 2, 1], numClasses: 10, widthMultiplier: 1 })).toThrow(ZooSpecError);
    expect(() => describeModel({ architecture: 'nope' as never, inputShape: [8, 8, 1], numClasses: 2, widthMultiplier: 1 })).toThrow(/architecture must be one of cnn-small/);
    expect(describeModel({ architecture: 'vgg16', inputShape: [28, 28, 1], numClasses: 10, widthMultiplier: 1 }).notes[0]).toMatch(/skipped/);
    expect(familyOfArchitecture('vgg18')).toBe('plain');
  });
});
