// Seeded weight initialisation, so that the same ModelSpec and seed always give the same weights.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '../../data/rng.js';

/**
 * Kernels of conv / dense / transposed conv: He normal, std = sqrt(2 / fan_in) (fan_in = product of
 * all kernel axes but the output-channel one); biases and BN β 0, BN γ 1, moving mean 0, variance 1.
 * Weights are visited in model.weights order, each drawing from one Rng(seed).
 */
export function initWeights(model: tfl.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    for (const w of layer.weights) {
      const short = w.originalName.split('/').pop() ?? '';
      const shape = w.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      const vals = new Float32Array(size);
      if (short === 'kernel') {
        // Conv2DTranspose kernels are [kh, kw, out, in]: fan_in is kh·kw·in.
        const fanIn = cls === 'Conv2DTranspose' ? shape[0]! * shape[1]! * shape[3]! : size / shape[shape.length - 1]!;
        const std = Math.sqrt(2 / fanIn);
        for (let i = 0; i < size; i++) vals[i] = std * rng.normal();
      } else if (short === 'gamma' || short === 'moving_variance') {
        vals.fill(1);
      }
      const t = tf.tensor(vals, shape);
      w.write(t);
      t.dispose();
    }
  }
}
