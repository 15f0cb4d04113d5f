import * as tf from '@tensorflow/tfjs-core';
import { syntheticClassification } from '../../../src/data/synthetic.js';
import { convertAndSimulate } from '../../../src/engine/conversion/index.js';
import { buildModel } from '../../../src/engine/zoo/index.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

describe('a small CNN trained on a synthetic set', () => {
  it('SNN accuracy at T = 64 is within 1 point of the ANN, and defined at every step', async () => {
    const H = 16;
    const K = 4;
    const data = syntheticClassification({ numClasses: K, height: H, width: H, channels: 1, train: 512, test: 300, noise: 0.4, seed: 3 });
    const model = buildModel({ architecture: 'cnn-small', inputShape: [H, H, 1], numClasses: K, widthMultiplier: 0.25 }, { seed: 5 });
    // The zoo's head is linear (logits): train with softmax cross-entropy on the logits.
    model.compile({ optimizer: tf.train.adam(0.003), loss: (y, p) => tf.losses.softmaxCrossEntropy(y, p) });
    const xs = tf.tensor(data.train.images, [data.train.count, H, H, 1]);
    const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(data.train.labels, 'int32'), K), 'float32'));
    await model.fit(xs, ys, { epochs: 4, batchSize: 32, shuffle: false, verbose: 0 });
    xs.dispose();
    ys.dispose();
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const res = await convertAndSimulate(
      model,
      { calibration: data.train, test: data.test, task: 'classification', numClasses: K },
      { timeSteps: 64, percentile: 0.999, batchSize: 100, calibrationBatches: 2, seed: 1 },
      { onStep: (t) => steps.push(t) },
    );
    expect(tf.memory().numTensors).toBe(before);
    const ann = res.annMetrics['accuracy'] as number;
    const acc = res.stepMetrics['accuracy'] as number[];
    console.log(`cnn: ANN ${ann.toFixed(4)}, SNN@1 ${acc[0]?.toFixed(4)} @8 ${acc[7]?.toFixed(4)} @16 ${acc[15]?.toFixed(4)} @32 ${acc[31]?.toFixed(4)} @64 ${acc[63]?.toFixed(4)}; within-1 step ${String(res.summary.firstStepWithin1)}`);
    expect(ann).toBeGreaterThan(0.8);
    expect(acc).toHaveLength(64);
    acc.forEach((a) => expect(Number.isFinite(a) && a >= 0 && a <= 1).toBe(true));
    expect(steps).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(Math.abs(ann - (acc[63] as number))).toBeLessThanOrEqual(0.01);
    expect(res.summary.lossAtT).toBeCloseTo(ann - (acc[63] as number), 10);
    model.dispose();
  });
});
