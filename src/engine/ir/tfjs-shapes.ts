// TensorFlow's padding rules, made explicit in ONNX terms for the tfjs-layers → IR v2 extraction.
import type { Pads, Pair } from './graph.js';

/** tf 'same': out = ⌈in/s⌉, total pad = max((out−1)·s + (k−1)·d + 1 − in, 0), extra at the end. */
export function samePads(inH: number, inW: number, kernel: Pair, strides: Pair, dilations: Pair = [1, 1]): Pads {
  const axis = (n: number, k: number, s: number, d: number): [number, number] => {
    const out = Math.ceil(n / s);
    const total = Math.max((out - 1) * s + (k - 1) * d + 1 - n, 0);
    const before = Math.floor(total / 2);
    return [before, total - before];
  };
  const [t, b] = axis(inH, kernel[0], strides[0], dilations[0]);
  const [l, r] = axis(inW, kernel[1], strides[1], dilations[1]);
  return [t, l, b, r];
}

/**
 * Pads and output padding of an ONNX ConvTranspose that reproduces tfjs Conv2DTranspose, whose
 * output side is in·s + max(k − s, 0) ('valid') or in·s ('same'). Input position y lands at
 * y·s + i − before, with `before` the forward 'same' conv's leading pad on the output size; what
 * ONNX's s·(in − 1) + k produces beyond tfjs' size is cropped at the end, what it lacks is added
 * as output padding (zeros, which is what tfjs has there).
 */
export function convTransposePads(inH: number, inW: number, kernel: Pair, strides: Pair, padding: 'same' | 'valid'): { pads: Pads; outputPadding: Pair; out: Pair } {
  const axis = (n: number, k: number, s: number): { before: number; after: number; extra: number; out: number } => {
    const out = padding === 'same' ? n * s : n * s + Math.max(k - s, 0);
    const before = padding === 'same' ? Math.floor(Math.max(k - s, 0) / 2) : 0;
    const excess = s * (n - 1) + k - before - out;
    return excess >= 0 ? { before, after: excess, extra: 0, out } : { before, after: 0, extra: -excess, out };
  };
  const h = axis(inH, kernel[0], strides[0]);
  const w = axis(inW, kernel[1], strides[1]);
  return { pads: [h.before, w.before, h.after, w.after], outputPadding: [h.extra, w.extra], out: [h.out, w.out] };
}

/** [kh, kw, I, O] (tfjs conv kernel) → [O, I, kh, kw] (ONNX). */
export function convKernelToOihw(data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  const [kh, kw, ci, co] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = data[((y * kw + x) * ci + i) * co + o] as number;
      }
    }
  }
  return { data: out, shape: [co, ci, kh, kw] };
}

/** [kh, kw, O, I] (tfjs conv-transpose kernel) → [I, O, kh, kw] (ONNX ConvTranspose). */
export function convTransposeKernelToIohw(data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  const [kh, kw, co, ci] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let o = 0; o < co; o++) {
        for (let i = 0; i < ci; i++) out[((i * co + o) * kh + y) * kw + x] = data[((y * kw + x) * co + o) * ci + i] as number;
      }
    }
  }
  return { data: out, shape: [ci, co, kh, kw] };
}

/**
 * [in, out] (tfjs dense kernel) → [out, in] (y = x·Wᵀ). With `hwc` = [H, W, C], the input is a
 * flattened NHWC map: the columns are reordered from (h, w, c) to (c, h, w), the order in which
 * the IR's flatten lists an NCHW map, so that the layer computes the same function.
 */
export function denseKernelToOutIn(data: Float32Array, shape: readonly number[], hwc?: readonly [number, number, number]): { data: Float32Array; shape: number[] } {
  const [fin, fout] = shape as [number, number];
  const out = new Float32Array(data.length);
  for (let i = 0; i < fin; i++) {
    let j = i;
    if (hwc !== undefined) {
      const [h, w, c] = hwc;
      const ch = i % c;
      const p = (i - ch) / c;
      const col = p % w;
      const row = (p - col) / w;
      j = (ch * h + row) * w + col;
    }
    for (let o = 0; o < fout; o++) out[o * fin + j] = data[i * fout + o] as number;
  }
  return { data: out, shape: [fout, fin] };
}
