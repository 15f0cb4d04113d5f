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
  /** Padding before/after on each axis ('same' only). */
  readonly pad: readonly [number, number, number, number];
  /** Non-overlapping windows without padding: the state can live in the input's layout. */
  readonly tiled: boolean;
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
  const tiled = kh === sh && kw === sw && pad.every((p) => p === 0);
  return { pool, strides, inH, inW, channels, outH, outW, pad, tiled };
}

/**
 * Zero state for `batch` samples: the accumulators, one per (window, input position). LIPool with
 * tiled windows keeps them in the input's layout; otherwise (and always for the gate) they are
 * [B, outH, outW, C, kh·kw].
 */
export function poolState(batch: number, g: PoolGeometry, mode: 'lipool' | 'gate' = 'lipool'): tf.Tensor {
  const [kh, kw] = g.pool;
  if (g.tiled && mode === 'lipool') return tf.zeros([batch, g.outH * kh, g.outW * kw, g.channels]);
  return tf.zeros([batch, g.outH, g.outW, g.channels, kh * kw]);
}

/**
 * LIPool, lateral-inhibition max-pooling (design/conversion.md §4). Per window, with accumulators
 * R_j for its inputs j:  R_j ← R_j + x_j;  y = max_j R_j;  R_j ← R_j − y.
 * Invariant: Σ_{τ≤t} y_τ = max_j Σ_{τ≤t} x_{j,τ} for every t and window. Overlapping windows keep
 * one accumulator per (window, input) pair, so any pool size/stride/padding works; padded
 * positions never win (they hold −∞ input). Pure: the caller disposes the old state.
 */
export function lipoolStep(r: tf.Tensor, x: tf.Tensor, g: PoolGeometry): { r: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const [kh, kw] = g.pool;
    if (g.tiled) {
      const b = x.shape[0] ?? 1;
      const acc = tf.add(r, crop(x, g));
      const y = tf.maxPool(acc as tf.Tensor4D, [kh, kw], [kh, kw], 'valid');
      const six = tf.sub(tf.reshape(acc, [b, g.outH, kh, g.outW, kw, g.channels]), tf.reshape(y, [b, g.outH, 1, g.outW, 1, g.channels]));
      return { r: tf.reshape(six, acc.shape), y };
    }
    const acc = tf.add(r, patches(x, g));
    const y = tf.max(acc, -1);
    return { r: tf.sub(acc, tf.expandDims(y, -1)), y };
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

/** The part of x the windows cover (valid pooling may drop trailing rows/columns). */
function crop(x: tf.Tensor, g: PoolGeometry): tf.Tensor {
  const h = g.outH * g.pool[0];
  const w = g.outW * g.pool[1];
  if (h === g.inH && w === g.inW) return x;
  return tf.slice(x, [0, 0, 0, 0], [-1, h, w, -1]);
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
