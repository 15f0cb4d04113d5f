// Shared helpers of the engine's unit tests.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../../src/engine/backend/index.js';

/** The wasm backend (with Spikelab's training kernels); every engine test runs on it. */
export async function useWasm(): Promise<void> {
  await initBackend('wasm');
}

/** Deterministic uniform [0, 1) numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, rand: () => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** Max |a − b| over two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Sets every weight of a model to seeded random values (scaled per fan-in), for reproducible nets. */
export function seedWeights(model: { weights: readonly { shape: readonly (number | null)[]; write(v: tf.Tensor): void; name: string }[] }, seed: number): void {
  const rand = rng(seed);
  for (const w of model.weights) {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const name = w.name;
    let v: tf.Tensor;
    if (/moving_variance/.test(name)) v = tf.tensor(randomArray(n, rand, 0.5, 2), shape);
    else if (/gamma/.test(name)) v = tf.tensor(randomArray(n, rand, 0.5, 1.5), shape);
    else if (/moving_mean|beta|bias/.test(name)) v = tf.tensor(randomArray(n, rand, -0.2, 0.2), shape);
    else {
      const fanIn = shape.length > 1 ? n / (shape[shape.length - 1] as number) : 1;
      const a = Math.sqrt(6 / fanIn);
      v = tf.tensor(randomArray(n, rand, -a, a), shape);
    }
    w.write(v);
    v.dispose();
  }
}

/**
 * Binary segmentation toy set: 1–2 discs (radius 2.5–5.5 px) of value +0.6 on −0.6, plus
 * triangular noise of std ≈ noise; the mask is the union of the discs. Seeded.
 */
export function discs(count: number, size: number, seed: number, noise = 0.3): { images: Float32Array; labels: Float32Array; count: number } {
  const r = rng(seed);
  const images = new Float32Array(count * size * size);
  const labels = new Float32Array(count * size * size);
  for (let i = 0; i < count; i++) {
    const k = 1 + Math.floor(r() * 2);
    const ds = Array.from({ length: k }, () => [r() * size, r() * size, 2.5 + 3 * r()] as const);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = ds.some(([cy, cx, rad]) => (y - cy) ** 2 + (x - cx) ** 2 <= rad * rad);
        const o = i * size * size + y * size + x;
        labels[o] = inside ? 1 : 0;
        images[o] = (inside ? 0.6 : -0.6) + noise * 2 * (r() + r() + r() - 1.5);
      }
    }
  }
  return { images, labels, count };
}

/** Conv (4 filters, 3×3) + ReLU, 2×2 max-pool, dense to 3 classes, on 6×6×1 inputs (seeded). */
export function smallClassifier(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3 }),
    ],
  });
  seedWeights(m, 21);
  return m;
}
