import * as tf from '@tensorflow/tfjs-core';
import { Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import { initBackend, UnsupportedKernelConfigError } from './index.js';
import { seededValues as seeded } from './test_values.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [3, 9, 7, 2], f: [3, 2, 2, 5], strides: 2, pad: 'valid' },
  { x: [2, 10, 7, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 6, 5, 1], f: [1, 1, 1, 3], strides: 1, pad: 'valid' },
  { x: [2, 7, 6, 3], f: [3, 2, 3, 2], strides: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [3, 12, 12, 8], f: [3, 3, 8, 16], strides: 1, pad: 'same' },
];

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** dL/dW of L = Σ conv2d(x, W) ⊙ dy, computed by tf.grad on the active backend. */
function filterGrad(c: Case, xv: Float32Array, fv: Float32Array, dyv: Float32Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const f = tf.tensor4d(fv, c.f);
    const outShape = tf.conv2d(x, f, c.strides, c.pad).shape;
    const dy = tf.tensor(dyv.subarray(0, size(outShape)), outShape);
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, c.strides, c.pad), dy)));
    return g(f).dataSync() as Float32Array;
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return m;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('wasm Conv2DBackpropFilter (composed from wasm kernels)', () => {
  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('matches the cpu gradient: %s', async (_n, c) => {
    const xv = seeded(size(c.x), 1);
    const fv = seeded(size(c.f), 2);
    const dyv = seeded(size(c.x) * c.f[3], 3);
    await tf.setBackend('cpu');
    const expected = filterGrad(c, xv, fv, dyv);
    await tf.setBackend('wasm');
    const actual = filterGrad(c, xv, fv, dyv);
    expect(actual.length).toBe(size(c.f));
    expect(maxAbsDiff(actual, expected)).toBeLessThanOrEqual(2e-4);
  });

  it('leaks no tensors and no backend buffers', () => {
    const c = CASES[2] as Case;
    const x = tf.tensor4d(seeded(size(c.x), 4), c.x);
    const f = tf.tensor4d(seeded(size(c.f), 5), c.f);
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, c.strides, c.pad)));
    g(f).dispose(); // warm-up
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    g(f).dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
    tf.dispose([x, f]);
  });

  it('refuses NCHW and dilations with a typed error', () => {
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    const attrs = { strides: 1, pad: 'same', filterShape: [3, 3, 2, 3] };
    const run = (extra: object) => () =>
      tf.engine().runKernel(Conv2DBackpropFilter, { x, dy }, { ...attrs, ...extra });
    expect(run({ dataFormat: 'NCHW' })).toThrow(UnsupportedKernelConfigError);
    expect(run({ dataFormat: 'NHWC', dilations: 2 })).toThrow(/dilations/);
    tf.dispose([x, dy]);
  });
});

describe('wasm depthwise gradients (cpu fallback)', () => {
  it('match the cpu backend', async () => {
    const xs: [number, number, number, number] = [2, 7, 6, 3];
    const fs: [number, number, number, number] = [3, 3, 3, 2];
    const grads = (): Float32Array[] =>
      tf.tidy(() => {
        const x = tf.tensor4d(seeded(size(xs), 6), xs);
        const f = tf.tensor4d(seeded(size(fs), 7), fs);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))));
        return g([x, f]).map((t) => t.dataSync() as Float32Array);
      });
    await tf.setBackend('cpu');
    const expected = grads();
    await tf.setBackend('wasm');
    const actual = grads();
    expect(maxAbsDiff(actual[0] as Float32Array, expected[0] as Float32Array)).toBeLessThanOrEqual(2e-4);
    expect(maxAbsDiff(actual[1] as Float32Array, expected[1] as Float32Array)).toBeLessThanOrEqual(2e-3);
  });
});
