import * as tf from '@tensorflow/tfjs-core';
import type { ResetMode } from '../../formats/conversion.js';

/** Parameters of one IF-burst population. */
export interface IfBurstParams {
  /**
   * Threshold θ, broadcast over the last axis (a scalar or one per channel); null means θ = 1,
   * the normalised formulation the converter uses (weights pre-scaled, spikes carry value 1).
   */
  readonly theta: tf.Tensor | null;
  /** 1/θ, precomputed with theta (null when theta is null). */
  readonly invTheta: tf.Tensor | null;
  /** Γ: the most spikes one neuron emits in one step (1 = plain IF). */
  readonly gamma: number;
  readonly reset: ResetMode;
}

/**
 * One step of integrate-and-fire with burst spikes (design/conversion.md §3):
 *   V ← V + z;   s = clip(⌊V/θ⌋, 0, Γ);   V ← V − s·θ   (reset 'subtract', the default)
 *                                         V ← 0 where s > 0   (reset 'zero', hard reset)
 * Returns the new membrane and the spike count s ∈ {0..Γ}; the value sent on is s·θ (= s when θ
 * is null). Invariant (subtract reset): the mean of s·θ over T steps of a constant input x is
 * within θ/T of clip(x, 0, Γθ). Pure: the caller disposes the old V.
 */
export function ifBurstStep(v: tf.Tensor, z: tf.Tensor, p: IfBurstParams): { v: tf.Tensor; s: tf.Tensor } {
  return tf.tidy(() => {
    const u = tf.add(v, z);
    const s = tf.clipByValue(tf.floor(p.invTheta === null ? u : tf.mul(u, p.invTheta)), 0, p.gamma);
    let next: tf.Tensor;
    if (p.reset === 'zero') next = tf.where(tf.greater(s, 0), tf.zerosLike(u), u);
    else next = tf.sub(u, p.theta === null ? s : tf.mul(s, p.theta));
    return { v: next, s };
  });
}
