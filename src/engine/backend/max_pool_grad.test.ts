import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './index.js';
import { seededValues } from './test_values.js';

// tfjs-backend-wasm 4.22's MaxPoolGrad starts its running maximum at the smallest positive float,
// so windows of values ≤ 0 lost their gradient; Spikelab registers a corrected kernel.

interface Case {
  x: [number, number, number, number];
  pool: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid';
  /** added to every input value: shifts windows below zero */
  shift: number;
}

const CASES: Case[] = [
  { x: [2, 6, 6, 3], pool: 2, strides: 2, pad: 'valid', shift: -1 },
  { x: [2, 7, 5, 2], pool: 3, strides: 1, pad: 'same', shift: -0.5 },
  { x: [1, 9, 8, 4], pool: [3, 2], strides: [2, 1], pad: 'same', shift: -0.5 },
  { x: [3, 8, 8, 2], pool: 2, strides: 2, pad: 'valid', shift: 0 },
];

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** dL/dx of L = Σ maxPool(x) ⊙ dy on the active backend. */
function poolGrad(c: Case, xv: Float32Array, dyv: Float32Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.add(tf.tensor4d(xv, c.x), c.shift);
    const outShape = tf.maxPool(x as tf.Tensor4D, c.pool, c.strides, c.pad).shape;
    const dy = tf.tensor(dyv.subarray(0, size(outShape)), outShape);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.pool, c.strides, c.pad), dy)));
    return g(x).dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('wasm MaxPoolGrad', () => {
  it('routes each window\'s gradient to its first maximum, also when every value is negative or tied', () => {
    const x = tf.tensor4d([-3, -1, -2, -4, 0, 0, 0, 0], [2, 2, 2, 1]);
    const dy = tf.tensor4d([5, 7], [2, 1, 1, 1]);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dy)))(x);
    expect(Array.from(dx.dataSync())).toEqual([0, 5, 0, 0, 7, 0, 0, 0]);
    tf.dispose([x, dy, dx]);
  });

  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('matches the cpu backend: %s', async (_n, c) => {
    const xv = seededValues(size(c.x), 1, -0.5, 0.5);
    const dyv = seededValues(size(c.x), 2, -0.5, 0.5);
    await tf.setBackend('cpu');
    const expected = poolGrad(c, xv, dyv);
    await tf.setBackend('wasm');
    const actual = poolGrad(c, xv, dyv);
    expect(actual.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it('leaks no tensors and no backend buffers', () => {
    const x = tf.tensor4d(seededValues(2 * 6 * 6 * 3, 3, -0.5, 0.5), [2, 6, 6, 3]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'same')));
    g(x).dispose(); // warm-up
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    g(x).dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
    x.dispose();
  });
});
