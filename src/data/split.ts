// Subsets and the seeded train/validation split.
import { Rng } from './rng.js';
import type { Split } from './types.js';

/** The samples at `indices`, copied. imgSize/lblSize are floats per sample. */
export function takeSamples(s: Split, indices: ArrayLike<number>, imgSize: number, lblSize: number): Split {
  const n = indices.length;
  const images = new Float32Array(n * imgSize);
  const labels = new Float32Array(n * lblSize);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    images.set(s.images.subarray(i * imgSize, (i + 1) * imgSize), k * imgSize);
    labels.set(s.labels.subarray(i * lblSize, (i + 1) * lblSize), k * lblSize);
  }
  return { images, labels, count: n };
}

/** The first `max` samples (views, no copy). */
export function headSamples(s: Split, max: number, imgSize: number, lblSize: number): Split {
  if (max >= s.count) return s;
  const n = Math.max(0, Math.floor(max));
  return { images: s.images.subarray(0, n * imgSize), labels: s.labels.subarray(0, n * lblSize), count: n };
}

/**
 * Seeded split: a permutation of the samples drawn from Rng(seed); the first
 * round(fraction·count) go to validation, the rest (in permuted order) to train.
 */
export function splitValidation(s: Split, fraction: number, seed: number, imgSize: number, lblSize: number): { train: Split; validation: Split } {
  const nVal = Math.round(Math.min(Math.max(fraction, 0), 1) * s.count);
  const perm = new Rng(seed ^ 0x5eed).permutation(s.count);
  return {
    validation: takeSamples(s, perm.subarray(0, nVal), imgSize, lblSize),
    train: takeSamples(s, perm.subarray(nVal), imgSize, lblSize),
  };
}
