import * as tf from '@tensorflow/tfjs-core';
import { Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import { initBackend, registerWasmTrainingKernels } from './index.js';
import { seededValues } from './test_values.js';
import { wasmConv2DBackpropInput } from './wasm_conv2d_backprop_input.js';

const seeded = (shape: readonly number[], seed: number): tf.Tensor => tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), [...shape]);

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 28, 28, 2], f: [3, 3, 2, 5], strides: 2, pad: 'same' },
  { x: [3, 9, 7, 2], f: [3, 2, 2, 5], strides: 2, pad: 'valid' },
  { x: [2, 10, 7, 3], f: [2, 5, 3, 4], strides: [2, 1], pad: 'same' },
  { x: [2, 7, 6, 3], f: [3, 2, 3, 2], strides: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 7, 6, 3], f: [2, 2, 3, 2], strides: [3, 2], pad: [[0, 0], [4, 0], [0, 3], [0, 0]] },
  { x: [2, 8, 8, 4], f: [2, 2, 4, 3], strides: 2, pad: 'same' }, // UNet decoder: k2 s2
  { x: [2, 9, 9, 4], f: [4, 5, 4, 3], strides: 3, pad: 'valid' },
  { x: [2, 6, 5, 1], f: [1, 1, 1, 3], strides: 1, pad: 'valid' },
  { x: [4, 14, 14, 8], f: [3, 3, 8, 16], strides: 1, pad: 'same' },
];

/** [dL/dx of L = Σ conv2d(x, W) ⊙ dy, conv2dTranspose(dy, W)] on the active backend. */
function compute(c: Case): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const x = seeded(c.x, 1) as tf.Tensor4D;
    const f = seeded(c.f, 2) as tf.Tensor4D;
    const dy = seeded(tf.conv2d(x, f, c.strides, c.pad).shape, 3) as tf.Tensor4D;
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, f, c.strides, c.pad), dy)));
    const gx = g(x);
    expect(gx.shape).toEqual(c.x);
    const t = tf.conv2dTranspose(dy, f, c.x, c.strides, c.pad);
    expect(t.shape).toEqual(c.x);
    return [gx.dataSync() as Float32Array, t.dataSync() as Float32Array];
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

describe('wasm Conv2DBackpropInput (composed from wasm Conv2D)', () => {
  it('replaces wasm’s own kernel, idempotently', () => {
    expect(tf.getKernel(Conv2DBackpropInput, 'wasm')?.kernelFunc).toBe(wasmConv2DBackpropInput);
    expect(registerWasmTrainingKernels()).toContain(Conv2DBackpropInput);
    expect(tf.getKernel(Conv2DBackpropInput, 'wasm')?.kernelFunc).toBe(wasmConv2DBackpropInput);
  });

  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))(
    'matches the cpu backend (tf.grad w.r.t. x and conv2dTranspose): %s', async (_n, c) => {
      await tf.setBackend('cpu');
      const [gExpected, tExpected] = compute(c);
      await tf.setBackend('wasm');
      const [gActual, tActual] = compute(c);
      expect(maxAbsDiff(gActual, gExpected)).toBeLessThanOrEqual(2e-4);
      expect(maxAbsDiff(tActual, tExpected)).toBeLessThanOrEqual(2e-4);
    });

  it('leaks no tensors and no backend buffers', () => {
    for (const c of [CASES[2], CASES[7], CASES[11]] as Case[]) {
      const x = seeded(c.x, 4) as tf.Tensor4D;
      const f = seeded(c.f, 5) as tf.Tensor4D;
      const dy = seeded(tf.conv2d(x, f, c.strides, c.pad).shape, 6) as tf.Tensor4D;
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, f, c.strides, c.pad)));
      const step = (): void => {
        g(x).dispose();
        tf.conv2dTranspose(dy, f, c.x, c.strides, c.pad).dispose();
      };
      step(); // warm-up
      const tensors = tf.memory().numTensors;
      const buffers = tf.backend().numDataIds();
      step();
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.backend().numDataIds()).toBe(buffers);
      tf.dispose([x, f, dy]);
    }
  });

  it('runs wasm’s original kernel for NCHW', async () => {
    const run = (): Float32Array =>
      tf.tidy(() => {
        const dy = seeded([2, 4, 3, 3], 7); // NCHW: [N, Cout, OH, OW]
        const filter = seeded([3, 3, 2, 4], 8);
        const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 2, 6, 5] };
        const out = tf.engine().runKernel<tf.Tensor>(Conv2DBackpropInput, { dy, filter }, attrs);
        expect(out.shape).toEqual([2, 2, 6, 5]);
        return out.dataSync() as Float32Array;
      });
    await tf.setBackend('cpu');
    const expected = run();
    await tf.setBackend('wasm');
    expect(maxAbsDiff(run(), expected)).toBeLessThanOrEqual(2e-4);
  });
});
