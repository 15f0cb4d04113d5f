import type { Split } from '../../data/types.js';
import { nhwcToNchw } from '../ir/layout.js';

/**
 * The given samples of a split (NHWC images, `hwc` = [H, W, C]) as one NCHW batch, the layout of
 * the IR and of every emitted graph.
 */
export function nchwBatch(split: Split, hwc: readonly [number, number, number], indices: readonly number[]): Float32Array {
  const [h, w, c] = hwc;
  const per = h * w * c;
  const data = new Float32Array(indices.length * per);
  indices.forEach((idx, i) => data.set(split.images.subarray(idx * per, (idx + 1) * per), i * per));
  return nhwcToNchw(data, indices.length, h, w, c);
}

/** Labels of the given samples: class indices, or masks of `perSample` values each. */
export function labelSlice(split: Split, perSample: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * perSample);
  indices.forEach((idx, i) => out.set(split.labels.subarray(idx * perSample, (idx + 1) * perSample), i * perSample));
  return out;
}

/** [0, n) cut into batches of at most `size`, in order. */
export function batchRanges(n: number, size: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < n; s += size) out.push(Array.from({ length: Math.min(size, n - s) }, (_, i) => s + i));
  return out;
}

/** A seeded permutation of [0, n) (mulberry32 + Fisher–Yates): same seed, same order. */
export function seededPermutation(n: number, seed: number): number[] {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}
