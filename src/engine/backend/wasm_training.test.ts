import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from './index.js';
import { seededValues } from './test_values.js';

// One training step of real tfjs-layers models on wasm (with the kernels Spikelab supplies for it:
// conv filter and input gradients) against the same step on the pure-JS cpu backend, the reference.

type Sym = tfl.SymbolicTensor;
const apply = (layer: tfl.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

/** UNet-ish: conv+BN+relu, maxpool, strided conv, two conv2dTranspose, concatenate, sigmoid. */
function tinyUnet(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 2] });
  // no bias before batch-norm: its gradient is exactly zero, and every weight here must move
  const c1 = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }), input);
  const r1 = apply(tfl.layers.activation({ activation: 'relu' }), apply(tfl.layers.batchNormalization(), c1));
  const p1 = apply(tfl.layers.maxPooling2d({ poolSize: 2 }), r1);
  const c2 = apply(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), p1);
  const u1 = apply(tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, padding: 'same' }), c2);
  const u2 = apply(tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, padding: 'same' }), u1);
  const cat = apply(tfl.layers.concatenate(), [u2, r1]);
  const out = apply(tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }), cat);
  return tfl.model({ inputs: input, outputs: out });
}

/** VGG/ResNet-ish classifier: conv, BN, residual add, avg/max pool, flatten, dropout (seeded), dense. */
function tinyClassifier(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 2] });
  const c1 = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }), input);
  const b1 = apply(tfl.layers.batchNormalization(), c1);
  const c2 = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), b1);
  const res = apply(tfl.layers.add(), [b1, c2]);
  const p = apply(tfl.layers.averagePooling2d({ poolSize: 2 }), apply(tfl.layers.maxPooling2d({ poolSize: 1 }), res));
  // a seeded dropout draws the same mask on every backend (tfjs draws it in JavaScript)
  const d = apply(tfl.layers.dropout({ rate: 0.3, seed: 7 }), apply(tfl.layers.flatten(), p));
  const out = apply(tfl.layers.dense({ units: 3, activation: 'softmax' }), d);
  return tfl.model({ inputs: input, outputs: out });
}

interface Step {
  loss: number;
  /** Every weight after one plain SGD step with learning rate 1: trainable ones are w − ∂L/∂w. */
  weights: Float32Array[];
  /** Tensors alive after the second step minus after the first (0: nothing leaked). */
  leaked: number;
}

/**
 * One SGD step (lr 1, so each weight moves by exactly its gradient) from the given weights on the
 * active backend; then a second one to check that a step leaks no tensor.
 */
async function sgdStep(build: () => tfl.LayersModel, init: Float32Array[], x: Float32Array, xShape: number[], y: Float32Array, yShape: number[], loss: string): Promise<Step> {
  const model = build();
  model.compile({ optimizer: tf.train.sgd(1), loss });
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(init[i]!, w.shape)));
  const [xs, ys] = [tf.tensor(x, xShape), tf.tensor(y, yShape)];
  const first = await model.trainOnBatch(xs, ys);
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const tensors = tf.memory().numTensors;
  await model.trainOnBatch(xs, ys);
  const leaked = tf.memory().numTensors - tensors;
  tf.dispose([xs, ys]);
  model.dispose();
  return { loss: Array.isArray(first) ? first[0]! : first, weights, leaked };
}

/** |a − b| ≤ atol + rtol·|b| elementwise; returns the worst excess over the bound (≤ 0: close). */
function worstExcess(a: Float32Array, b: Float32Array, atol = 1e-4, rtol = 1e-3): number {
  let worst = -Infinity;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) - (atol + rtol * Math.abs(b[i]!)));
  return worst;
}

async function expectWasmStepMatchesCpu(build: () => tfl.LayersModel, xShape: number[], y: Float32Array, yShape: number[], loss: string): Promise<void> {
  await initBackend('cpu');
  const template = build();
  const init = template.getWeights().map((w, i) => {
    const v = seededValues(w.size, 11 + i, 0, 1);
    // centred small weights; batch-norm variances (named moving_variance / gamma) stay positive
    return w.size > 0 && /variance|gamma/.test(template.weights[i]!.originalName) ? v.map((u) => 0.5 + u) : v.map((u) => (u - 0.5) * 0.6);
  });
  template.dispose();
  const x = seededValues(xShape.reduce((a, b) => a * b, 1), 3, 0, 1);

  const cpu = await sgdStep(build, init, x, xShape, y, yShape, loss);
  await initBackend('wasm');
  const wasm = await sgdStep(build, init, x, xShape, y, yShape, loss);

  expect(wasm.leaked).toBe(0);
  expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4 + 1e-3 * Math.abs(cpu.loss));
  expect(wasm.weights.length).toBe(cpu.weights.length);
  // every weight moved on the reference, so a gradient of zero on wasm would show
  for (const w of cpu.weights.map((v, i) => worstExcess(v, init[i]!, 0, 0))) expect(w).toBeGreaterThan(0);
  const excess = wasm.weights.map((w, i) => worstExcess(w, cpu.weights[i]!));
  expect(excess.map((e) => e <= 0)).toEqual(excess.map(() => true));
}

describe('one training step on wasm equals the cpu backend', () => {
  it('UNet-ish net (BN, maxpool, strided conv, conv2dTranspose, concatenate, sigmoid)', async () => {
    const mask = seededValues(4 * 8 * 8, 5, 0, 1).map((v) => (v > 0.5 ? 1 : 0));
    await expectWasmStepMatchesCpu(tinyUnet, [4, 8, 8, 2], mask, [4, 8, 8, 1], 'binaryCrossentropy');
  });

  it('residual classifier (BN, add, pooling, seeded dropout, dense)', async () => {
    const labels = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0]);
    await expectWasmStepMatchesCpu(tinyClassifier, [4, 8, 8, 2], labels, [4, 3], 'categoricalCrossentropy');
  });
});
