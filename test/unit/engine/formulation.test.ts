import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AnnExecutor, buildSnn, calibrate, extractGraph, foldBatchNorm, ifBurstStep } from '../../../src/engine/conversion/index.js';
import { maxAbsDiff, randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

describe('θ formulation', () => {
  it('normalised weights with threshold 1 = θ_l = λ_l neurons emitting λ_l per spike (channel-wise λ)', () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [6], units: 8, activation: 'relu', name: 'h1' }),
        tfl.layers.dense({ units: 5, activation: 'relu', name: 'h2' }),
        tfl.layers.dense({ units: 3, name: 'o' }),
      ],
    });
    seedWeights(m, 3);
    const g = foldBatchNorm(extractGraph(m));
    const x = tf.tensor(randomArray(10 * 6, rng(4)), [10, 6]);
    const before = tf.memory().numTensors;
    const { lambdas } = calibrate(g, [x], { percentile: 0.9, channelWise: true });
    const snn = buildSnn(g, lambdas, { gamma: 3, reset: 'subtract', vInit: 0.5, maxPool: 'lipool' });
    snn.reset(x);
    // Reference: unscaled weights, θ = λ per channel, output s·θ.
    const [w1, b1, w2, b2, w3, b3] = m.getWeights();
    const lam1 = tf.tensor1d(lambdas.get('h1/relu')!);
    const lam2 = tf.tensor1d(lambdas.get('h2/relu')!);
    const p = (lam: tf.Tensor) => ({ theta: lam, invTheta: tf.div(1, lam), gamma: 3, reset: 'subtract' as const });
    let v1 = tf.tidy(() => tf.mul(tf.ones([10, 8]), tf.mul(lam1, 0.5)));
    let v2 = tf.tidy(() => tf.mul(tf.ones([10, 5]), tf.mul(lam2, 0.5)));
    let acc = tf.zeros([10, 3]);
    const z1 = tf.tidy(() => tf.add(tf.matMul(x, w1!), b1!));
    for (let t = 1; t <= 40; t++) {
      const next = tf.tidy(() => {
        const a = ifBurstStep(v1, z1, p(lam1));
        const bb = ifBurstStep(v2, tf.add(tf.matMul(tf.mul(a.s, lam1), w2!), b2!), p(lam2));
        return [a.v, bb.v, tf.add(acc, tf.add(tf.matMul(tf.mul(bb.s, lam2), w3!), b3!))];
      });
      [v1, v2, acc].forEach((u) => u.dispose());
      [v1, v2, acc] = next as [tf.Tensor, tf.Tensor, tf.Tensor];
      snn.step();
      const out = snn.output();
      expect(maxAbsDiff(out.dataSync(), acc.dataSync())).toBeLessThan(1e-3 * t);
      out.dispose();
    }
    [v1, v2, acc, z1, lam1, lam2, x].forEach((u) => u.dispose());
    snn.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
    m.dispose();
  });

  it('every supported op: the SNN mean output approaches the ANN output', () => {
    const x = tfl.input({ shape: [8, 8, 2] });
    const pad = tfl.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]] }).apply(x) as tfl.SymbolicTensor; // 9×9
    const c1 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu', name: 'c1' }).apply(pad) as tfl.SymbolicTensor; // 4×4
    const c2 = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, name: 'c2' }).apply(c1) as tfl.SymbolicTensor;
    const r2 = tfl.layers.activation({ activation: 'relu', name: 'r2' }).apply(c2) as tfl.SymbolicTensor;
    const mp = tfl.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'mp' }).apply(r2) as tfl.SymbolicTensor;
    const ap = tfl.layers.averagePooling2d({ poolSize: 2, name: 'ap' }).apply(mp) as tfl.SymbolicTensor; // 2×2
    const up = tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(ap) as tfl.SymbolicTensor; // 4×4
    const cat = tfl.layers.concatenate({ name: 'cat' }).apply([up, c1]) as tfl.SymbolicTensor;
    const ct = tfl.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'ct' }).apply(cat) as tfl.SymbolicTensor;
    const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(ct) as tfl.SymbolicTensor;
    const fl = tfl.layers.dense({ units: 4, name: 'out' }).apply(tfl.layers.concatenate().apply([gap, tfl.layers.flatten().apply(ap) as tfl.SymbolicTensor])) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: x, outputs: fl });
    seedWeights(m, 9);
    const g = foldBatchNorm(extractGraph(m));
    const xs = tf.tensor(randomArray(16 * 8 * 8 * 2, rng(5)), [16, 8, 8, 2]);
    const before = tf.memory().numTensors;
    const { lambdas } = calibrate(g, [xs], { percentile: 1, channelWise: false });
    const snn = buildSnn(g, lambdas, { gamma: 5, reset: 'subtract', vInit: 0.5, maxPool: 'lipool' });
    const ann = new AnnExecutor(g);
    const ref = ann.forward(xs);
    const ref2 = m.predict(xs) as tf.Tensor;
    expect(maxAbsDiff(ref.dataSync(), ref2.dataSync())).toBeLessThan(1e-4);
    snn.reset(xs);
    const T = 256;
    for (let t = 0; t < T; t++) snn.step();
    const mean = tf.tidy(() => tf.div(snn.output(), T));
    const scale = Math.max(...Array.from(ref.dataSync(), Math.abs));
    expect(maxAbsDiff(mean.dataSync(), ref.dataSync()) / scale).toBeLessThan(0.03);
    [mean, ref, ref2].forEach((u) => u.dispose());
    snn.dispose();
    ann.dispose();
    expect(tf.memory().numTensors).toBe(before);
    xs.dispose();
    m.dispose();
  });
});
