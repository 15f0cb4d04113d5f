import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '../../../src/data/index.js';
import { initBackend } from '../../../src/engine/backend/index.js';
import { augmentClassification, augmentSegmentation, learningRateAt, MomentumSgd, trainModel, TrainingCancelledError } from '../../../src/engine/train/index.js';
import { Rng } from '../../../src/data/index.js';
import { buildModel } from '../../../src/engine/zoo/index.js';
import type { ModelSpec } from '../../../src/formats/model.js';
import { DEFAULT_TRAINING_CONFIG, type EpochRecord, type TrainingConfig } from '../../../src/formats/training.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const cfg = (over: Partial<TrainingConfig>): TrainingConfig => ({ ...DEFAULT_TRAINING_CONFIG, ...over });
const cls = () => loadDataset({ format: 'synthetic-classification', task: 'classification', options: { size: 12, trainCount: 192, testCount: 16, numClasses: 4, seed: 1, noise: 0.3 } });
const spec: ModelSpec = { architecture: 'cnn-small', inputShape: [12, 12, 1], numClasses: 4, widthMultiplier: 0.25, batchNorm: true };

describe('training loop', () => {
  it('reduces the loss on a synthetic set, selects on validation, leaks no tensors', async () => {
    const data = await cls();
    const model = buildModel(spec, { seed: 3 });
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    const epochs: EpochRecord[] = [];
    const r = await trainModel(model, data, cfg({ epochs: 4, batchSize: 32, learningRate: 0.05, validationSplit: 0.25, augment: false, labelSmoothing: 0.1 }), {
      onIteration: (_, loss) => losses.push(loss),
      onEpoch: (e) => epochs.push(e),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(losses).toHaveLength(4 * 5); // 144 training samples / 32 → 5 batches per epoch
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(epochs[3]!.trainLoss).toBeLessThan(epochs[0]!.trainLoss);
    expect(r.outcome.selectedBy).toBe('validation');
    expect(r.best.valMetric).toBe(Math.max(...epochs.map((e) => e.valMetric)));
    expect(r.best.valMetric).toBeGreaterThan(0.5);
    // Restored weights are the best epoch's.
    const w0 = model.weights[0]!.read().dataSync();
    expect(Array.from(w0.slice(0, 5))).toEqual(Array.from(r.best.weights[0]!.values.slice(0, 5)));
    model.dispose();
  });

  it('same seed → same weights (with augmentation and BN)', async () => {
    const data = await cls();
    const run = async () => {
      const m = buildModel(spec, { seed: 7 });
      await trainModel(m, data, cfg({ epochs: 1, batchSize: 32, maxTrainSamples: 64, validationSplit: 0.25, augment: true, seed: 11 }));
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return w;
    };
    const [a, b] = [await run(), await run()];
    a.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - b[i]![j]!)).toBeLessThan(1e-7)));
  });

  it('trains a UNet on synthetic segmentation with BCE (softDice rises)', async () => {
    const data = await loadDataset({ format: 'synthetic-segmentation', task: 'segmentation', options: { size: 16, trainCount: 48, testCount: 4, seed: 2, validationSplit: 0.25 } });
    const m = buildModel({ architecture: 'unet', inputShape: [16, 16, 1], numClasses: 1, widthMultiplier: 1 / 8, depth: 2, batchNorm: true });
    const r = await trainModel(m, data, cfg({ epochs: 3, batchSize: 12, learningRate: 0.05, augment: true }));
    expect(r.outcome.metric).toBe('softDice');
    expect(r.history[2]!.trainLoss).toBeLessThan(r.history[0]!.trainLoss);
    m.dispose();
  });

  it('is cancellable between batches with a typed error', async () => {
    const data = await cls();
    const m = buildModel(spec);
    const ac = new AbortController();
    const before = tf.memory().numTensors;
    const p = trainModel(m, data, cfg({ epochs: 5, batchSize: 16 }), { onIteration: (it) => it === 3 && ac.abort(), signal: ac.signal });
    await expect(p).rejects.toBeInstanceOf(TrainingCancelledError);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('augmentation: image and mask move together; crops keep the size; seeded', () => {
    const n = 6;
    const x = Float32Array.from({ length: n * 8 * 8 }, (_, i) => i % 64);
    const m = Float32Array.from(x);
    augmentSegmentation(x, m, n, 8, 8, 1, new Rng(4));
    expect(Array.from(x)).toEqual(Array.from(m));
    expect(Array.from(x.subarray(0, 64)).sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i)); // a permutation
    const a = Float32Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => i + 1);
    const b = Float32Array.from(a);
    augmentClassification(a, 2, 4, 4, 3, 1, new Rng(9));
    augmentClassification(b, 2, 4, 4, 3, 1, new Rng(9));
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('refuses a config outside the table of src/formats before training (the engine guard)', async () => {
    const data = await cls();
    const model = buildModel(spec, { seed: 3 });
    try {
      for (const [bad, field] of [[{ epochs: 0 }, 'epochs'], [{ learningRate: -1 }, 'learningRate'], [{ momentum: 5 }, 'momentum'], [{ weightDecay: 7 }, 'weightDecay'], [{ labelSmoothing: 3 }, 'labelSmoothing']] as const) {
        await expect(trainModel(model, data, cfg(bad))).rejects.toThrow(new RegExp(`invalid training config: ${field} must be`));
      }
    } finally {
      model.dispose();
    }
  });

  it('cosine schedule and PyTorch momentum-SGD arithmetic', () => {
    expect(learningRateAt({ learningRate: 0.1, schedule: 'cosine' }, 0, 10)).toBeCloseTo(0.1, 9);
    expect(learningRateAt({ learningRate: 0.1, schedule: 'cosine' }, 5, 10)).toBeCloseTo(0.05, 9);
    expect(learningRateAt({ learningRate: 0.1, schedule: 'constant' }, 5, 10)).toBeCloseTo(0.1, 9);
    const w = tf.variable(tf.tensor1d([1, -2]), true, 'w_sgd_test');
    const sgd = new MomentumSgd(0.9, 0.1);
    for (let i = 0; i < 2; i++) {
      const g = tf.tensor1d([0.5, 0.5]);
      sgd.step([w], { w_sgd_test: g }, 0.1);
      g.dispose();
    }
    // step1: g=[0.6,0.3] v=g w=[0.94,-2.03]; step2: g=[0.594,0.297] v=[1.134,0.567] w=[0.8266,-2.0867]
    const v = w.dataSync();
    expect(v[0]).toBeCloseTo(0.8266, 5);
    expect(v[1]).toBeCloseTo(-2.0867, 5);
    sgd.dispose();
    w.dispose();
  });
});
