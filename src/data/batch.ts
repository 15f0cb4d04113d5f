// Turning Split slices into tensors for training and evaluation.
import * as tf from '@tensorflow/tfjs-core';
import type { LoadedDataset, Split } from './types.js';

/** Floats per sample of images and labels for a data set. */
export function sampleSizes(ds: Pick<LoadedDataset, 'imageShape' | 'task'>): { img: number; lbl: number } {
  const [h, w, c] = ds.imageShape;
  return { img: h * w * c, lbl: ds.task === 'segmentation' ? h * w : 1 };
}

/**
 * Gathers samples `indices` of `split` into x [n, H, W, C] and y: class indices [n] (int32) for
 * classification, masks [n, H, W, 1] for segmentation. The caller owns (disposes) both.
 */
export function batchTensors(ds: Pick<LoadedDataset, 'imageShape' | 'task'>, split: Split, indices: ArrayLike<number>): { x: tf.Tensor4D; y: tf.Tensor } {
  const { img, lbl } = sampleSizes(ds);
  const n = indices.length;
  const xs = new Float32Array(n * img);
  const ys = new Float32Array(n * lbl);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    xs.set(split.images.subarray(i * img, (i + 1) * img), k * img);
    ys.set(split.labels.subarray(i * lbl, (i + 1) * lbl), k * lbl);
  }
  const [h, w, c] = ds.imageShape;
  const x = tf.tensor4d(xs, [n, h, w, c]);
  const y = ds.task === 'segmentation' ? tf.tensor4d(ys, [n, h, w, 1]) : tf.tensor1d(Int32Array.from(ys), 'int32');
  return { x, y };
}
