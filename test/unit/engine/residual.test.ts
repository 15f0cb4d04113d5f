import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { convertAndSimulate } from '../../../src/engine/conversion/index.js';
import { randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

/** conv → [shared ReLU] → conv → add(skip) → [same ReLU object again] → GAP → dense. */
function residualNet(): tfl.LayersModel {
  const x = tfl.input({ shape: [8, 8, 3] });
  const relu = tfl.layers.reLU({ name: 'shared_relu' });
  const stem = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }).apply(x) as tfl.SymbolicTensor;
  let h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c1' }).apply(stem) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'bn1' }).apply(h) as tfl.SymbolicTensor;
  h = relu.apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c2' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.add({ name: 'res' }).apply([h, stem]) as tfl.SymbolicTensor;
  h = relu.apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(h) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 10, name: 'logits' }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}

describe('residual block with one ReLU object used twice', () => {
  it('SNN argmax agrees with ANN argmax on ≥ 99 % of random inputs at T = 256', async () => {
    const model = residualNet();
    seedWeights(model, 7);
    const rand = rng(11);
    const n = 200;
    const per = 8 * 8 * 3;
    const images = randomArray(n * per, rand);
    // Labels = the ANN's own argmax, so SNN "accuracy" is the agreement rate.
    const logits = tf.tidy(() => tf.argMax(model.predict(tf.tensor(images, [n, 8, 8, 3])) as tf.Tensor, 1).dataSync());
    const labels = Float32Array.from(logits);
    const calibration = { images: randomArray(64 * per, rand), labels: new Float32Array(64), count: 64 };
    const before = tf.memory().numTensors;
    const res = await convertAndSimulate(
      model,
      { calibration, test: { images, labels, count: n }, task: 'classification', numClasses: 10 },
      { timeSteps: 256, percentile: 0.999, batchSize: 100, calibrationBatches: 1 },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(res.annMetrics['accuracy']).toBe(1);
    const acc = res.stepMetrics['accuracy'] as number[];
    expect(acc).toHaveLength(256);
    expect(acc[255]).toBeGreaterThanOrEqual(0.99);
    const sites = res.layerStats.filter((s) => s.kind === 'if').map((s) => s.site);
    expect(sites).toEqual(['stem/relu', 'shared_relu#1', 'shared_relu#2']);
    model.dispose();
  });
});
