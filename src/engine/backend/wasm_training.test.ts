import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from './index.js';

type Sym = tfl.SymbolicTensor;
const apply = (layer: tfl.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

/** UNet-ish: conv+BN+relu, maxpool, strided conv, two conv2dTranspose, concatenate, sigmoid. */
function tinyUnet(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 2] });
  const c1 = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), input);
  const r1 = apply(tfl.layers.activation({ activation: 'relu' }), apply(tfl.layers.batchNormalization(), c1));
  const p1 = apply(tfl.layers.maxPooling2d({ poolSize: 2 }), r1);
  const c2 = apply(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), p1);
  const u1 = apply(tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, padding: 'same' }), c2);
  const u2 = apply(tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, padding: 'same' }), u1);
  const cat = apply(tfl.layers.concatenate(), [u2, r1]);
  const out = apply(tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }), cat);
  const model = tfl.model({ inputs: input, outputs: out });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return model;
}

/** VGG/ResNet-ish classifier: conv, BN, residual add, avg/max pool, flatten, dropout, dense. */
function tinyClassifier(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 2] });
  const c1 = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }), input);
  const b1 = apply(tfl.layers.batchNormalization(), c1);
  const c2 = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), b1);
  const res = apply(tfl.layers.add(), [b1, c2]);
  const p = apply(tfl.layers.averagePooling2d({ poolSize: 2 }), apply(tfl.layers.maxPooling2d({ poolSize: 1 }), res));
  const d = apply(tfl.layers.dropout({ rate: 0.3 }), apply(tfl.layers.flatten(), p));
  const out = apply(tfl.layers.dense({ units: 3, activation: 'softmax' }), d);
  const model = tfl.model({ inputs: input, outputs: out });
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  return model;
}

async function expectTrainStepWorks(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<void> {
  const before = (model.getWeights()[0] as tf.Tensor).dataSync().slice();
  await model.trainOnBatch(x, y); // warm-up: creates optimizer state
  const tensors = tf.memory().numTensors;
  const loss = await model.trainOnBatch(x, y);
  expect(tf.memory().numTensors).toBe(tensors);
  expect(Number.isFinite(loss)).toBe(true);
  const after = (model.getWeights()[0] as tf.Tensor).dataSync();
  expect(after.some((v, i) => v !== before[i])).toBe(true);
  model.dispose();
}

describe('training on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('trains a UNet-ish net (BN, maxpool, conv2dTranspose, concatenate, sigmoid) without leaks', async () => {
    const x = tf.randomUniform([4, 8, 8, 2]);
    const mask = tf.round(tf.randomUniform([4, 8, 8, 1]));
    await expectTrainStepWorks(tinyUnet(), x, mask);
    tf.dispose([x, mask]);
  });

  it('trains a residual classifier (BN, add, pooling, dropout, dense) without leaks', async () => {
    const x = tf.randomUniform([4, 8, 8, 2]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    await expectTrainStepWorks(tinyClassifier(), x, labels);
    tf.dispose([x, labels]);
  });
});
