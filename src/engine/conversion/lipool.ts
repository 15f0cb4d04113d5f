import * as tf from '@tensorflow/tfjs-core';
import type { Padding, Pair } from './graph.js';

/** Where the windows of one max-pool lie on its [H, W, C] input (tf's 'same'/'valid' rules). */
export interface PoolGeometry {
  readonly pool: Pair;
  readonly strides: Pair;
  readonly inH: number;
  readonly inW: number;
  readonly channels: number;
  readonly outH: number;
  readonly outW: number;
  readonly padding: Padding;
  /** Padding before/after on each axis ('same' only). */
  readonly pad: readonly [number, number, number, number];
}

/** Window layout of a max-pool, exactly as tf.maxPool places it. */
export function poolGeometry(inShape: readonly number[], pool: Pair, strides: Pair, padding: Padding): PoolGeometry {
  const [inH, inW, channels] = inShape as [number, number, number];
  const [kh, kw] = pool;
  const [sh, sw] = strides;
  let outH: number;
  let outW: number;
  let pad: [number, number, number, number] = [0, 0, 0, 0];
  if (padding === 'valid') {
    outH = Math.floor((inH - kh) / sh) + 1;
    outW = Math.floor((inW - kw) / sw) + 1;
  } else {
    outH = Math.ceil(inH / sh);
    outW = Math.ceil(inW / sw);
    const ph = Math.max((outH - 1) * sh + kh - inH, 0);
    const pw = Math.max((outW - 1) * sw + kw - inW, 0);
    pad = [Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2)];
  }
  return { pool, strides, inH, inW, channels, outH, outW, padding, pad };
}

/** LIPool state: C = Σ_{τ≤t} x_τ per input neuron, M = maxPool(C) = Σ_{τ≤t} y_τ per window. */
export interface LipoolState {
  readonly c: tf.Tensor;
  readonly m: tf.Tensor;
}

/** Zero LIPool state for `batch` samples. */
export function lipoolState(batch: number, g: PoolGeometry): LipoolState {
  return { c: tf.zeros([batch, g.inH, g.inW, g.channels]), m: tf.zeros([batch, g.outH, g.outW, g.channels]) };
}

/** Zero gate state for `batch` samples: accumulators A_j per (window, input), [B, outH, outW, C, kh·kw]. */
export function gateState(batch: number, g: PoolGeometry): tf.Tensor {
  return tf.zeros([batch, g.outH, g.outW, g.channels, g.pool[0] * g.pool[1]]);
}

/**
 * LIPool, lateral-inhibition max-pooling (design/conversion.md §4). Per window, with accumulators
 * R_j for its inputs j:  R_j ← R_j + x_j;  y = max_j R_j;  R_j ← R_j − y.
 * Invariant: Σ_{τ≤t} y_τ = max_j Σ_{τ≤t} x_{j,τ} for every t and window.
 * Computed in the equivalent cumulative form: with C_j(t) = Σ_{τ≤t} x_j, induction gives
 * R_j = C_j(t) − Σ_{τ<t} y_τ, hence y_t = maxPool(C(t)) − maxPool(C(t−1)). One add, one tf
 * max-pool with the ANN's own window/stride/padding (overlapping windows included, padding never
 * wins) and one subtract on the pooled map. Spike counts keep C exact in float32 (≤ Γ·T ≪ 2^24);
 * for analog inputs the rounding of y_t telescopes, so Σ y stays as accurate as C. Pure: the
 * caller disposes the old state.
 */
export function lipoolStep(state: LipoolState, x: tf.Tensor, g: PoolGeometry): { state: LipoolState; y: tf.Tensor } {
  return tf.tidy(() => {
    const c = tf.add(state.c, x);
    const m = tf.maxPool(c as tf.Tensor4D, g.pool as [number, number], g.strides as [number, number], g.padding);
    return { state: { c, m }, y: tf.sub(m, state.m) };
  });
}

/**
 * The gate variant (`maxPool: "gate"`, an ablation): accumulators A_j ← A_j + x_j are never
 * reduced; the window passes the current input of its neuron with the largest A_j (first on ties).
 */
export function gatePoolStep(a: tf.Tensor, x: tf.Tensor, g: PoolGeometry): { r: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const p = patches(x, g);
    const acc = tf.add(a, p);
    const k = g.pool[0] * g.pool[1];
    const pick = tf.cast(tf.oneHot(tf.argMax(acc, -1), k), 'float32');
    const y = tf.sum(tf.mul(tf.where(tf.isFinite(p), p, tf.zerosLike(p)), pick), -1);
    return { r: acc, y };
  });
}

/** x as [B, outH, outW, C, kh·kw]: the inputs of every window, padding filled with −∞. */
export function patches(x: tf.Tensor, g: PoolGeometry): tf.Tensor {
  const [kh, kw] = g.pool;
  const [sh, sw] = g.strides;
  const [pt, pb, pl, pr] = g.pad;
  const b = x.shape[0] ?? 1;
  const xp = pt + pb + pl + pr > 0 ? tf.pad(x, [[0, 0], [pt, pb], [pl, pr], [0, 0]], -Infinity) : x;
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      parts.push(tf.stridedSlice(xp, [0, i, j, 0], [b, i + sh * (g.outH - 1) + 1, j + sw * (g.outW - 1) + 1, g.channels], [1, sh, sw, 1]));
    }
  }
  return tf.stack(parts, -1);
}
