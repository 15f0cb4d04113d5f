// Imported models go where zoo models go: the whole conversion (BN folding, calibration, the SNN on
// ONNX Runtime) runs on the imported IR, for a trained classifier of each family on real data and for
// the UNet on synthetic segmentation data.
import { access } from 'node:fs/promises';
import { readIdxPair } from '../../../src/data/idx.js';
import { normalizeBytes } from '../../../src/data/normalize.js';
import { syntheticSegmentation } from '../../../src/data/synthetic.js';
import type { Split } from '../../../src/data/types.js';
import * as ort from 'onnxruntime-node';
import { convertAndSimulate, exportAnn, exportSnn } from '../../../src/engine/conversion/index.js';
import { importOnnx } from '../../../src/engine/onnx/index.js';
import { maxAbsDiff } from '../engine/helpers.js';
import { fixture } from './fixtures.js';

const FMNIST = '/usr/share/datasets/fashion-mnist';
const haveFmnist = await access(FMNIST).then(() => true, () => false);

async function fmnist(prefix: 'train' | 't10k', n: number): Promise<Split> {
  const raw = await readIdxPair(FMNIST, prefix, n);
  return { images: normalizeBytes(raw.images, 1, 'standard', [0.286], [0.353]), labels: Float32Array.from(raw.labels), count: raw.count };
}

(haveFmnist ? describe : describe.skip)('trained Fashion-MNIST classifiers from PyTorch convert', () => {
  it.each(['fmnist_vgg', 'fmnist_resnet'])('%s: SNN at T = 64 on 200 test images within 2 points of its ANN', async (name) => {
    const r = importOnnx(fixture(name).bytes);
    const data = { calibration: await fmnist('train', 100), test: await fmnist('t10k', 200), task: 'classification' as const, numClasses: r.numClasses };
    const res = await convertAndSimulate(r.graph, data, { timeSteps: 64, batchSize: 100 }, { backend: 'cpu', threads: 1 });
    const ann = res.annMetrics.accuracy as number;
    const snn = res.stepMetrics.accuracy?.at(-1) as number;
    expect(ann).toBeGreaterThan(0.8);
    expect(Math.abs(snn - ann)).toBeLessThanOrEqual(0.02);
    expect(res.layerStats.filter((s) => s.kind === 'if')).toHaveLength(r.reluSites);
  });
});

describe('the imported UNet converts on segmentation data', () => {
  it('unet_o13 (ConvTranspose + Resize + concat skips, sigmoid head): per-step soft Dice for every step', async () => {
    const r = importOnnx(fixture('unet_o13').bytes);
    const ds = syntheticSegmentation({ height: 16, width: 16, train: 8, test: 8, minObjects: 1, maxObjects: 3, noise: 0.05, seed: 3 });
    const res = await convertAndSimulate(r.graph, { calibration: ds.train, test: ds.test, task: 'segmentation', numClasses: 1 }, { timeSteps: 8, batchSize: 8 }, { backend: 'cpu', threads: 1, panels: 0 });
    const dice = res.stepMetrics.softDice ?? [];
    expect(dice).toHaveLength(8);
    expect(dice.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
    expect(res.layerStats.filter((s) => s.kind === 'if')).toHaveLength(r.reluSites);
    // the run's SNN leaves as a standalone ONNX file with its states as inputs
    const exported = exportSnn(r.graph, res.lambdas ?? {}, res.config);
    const session = await ort.InferenceSession.create(exported.bytes);
    expect(session.inputNames.filter((n) => n.startsWith('state:')).length).toBeGreaterThan(0);
    await session.release();
  });
});

describe('an imported model exports its ANN as ONNX again', () => {
  it('vgg_o17_bn (BatchNormalization kept): the exported file on ONNX Runtime gives PyTorch’s outputs', async () => {
    const f = fixture('vgg_o17_bn');
    const exported = exportAnn(importOnnx(f.bytes).graph);
    const session = await ort.InferenceSession.create(exported.bytes);
    try {
      const out = await session.run({ input: new ort.Tensor('float32', f.input.data, f.input.shape) });
      expect(maxAbsDiff((out.output as ort.Tensor).data as Float32Array, f.output.data)).toBeLessThanOrEqual(1e-4);
    } finally {
      await session.release();
    }
  });
});
