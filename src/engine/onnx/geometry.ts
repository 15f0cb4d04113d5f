// Spatial arithmetic of 2-D convolutions and pools, as the ONNX operator specs define it (auto_pad,
// dilations, ceil_mode with PyTorch's rule that a window may not start in the end padding).
import type { Pads, Pair } from '../ir/graph.js';
import type { MapContext } from './context.js';

/** Reads a 2-element attribute (kernel_shape, strides, dilations) with a default. */
export function pairAttr(ctx: MapContext, name: string, fallback: Pair): Pair {
  const v = ctx.attrs.ints(name);
  if (v === undefined) return fallback;
  if (v.length !== 2 || v.some((x) => !Number.isSafeInteger(x) || x < 1)) ctx.fail(`${name} [${v.join(', ')}] is not two positive integers (only 2-D operations are supported)`);
  return [v[0] as number, v[1] as number];
}

/** Effective extent of a dilated kernel. */
function extent(k: number, d: number): number {
  return (k - 1) * d + 1;
}

/**
 * Pads [top, left, bottom, right] from `pads` / `auto_pad`: NOTSET uses pads ([x1_begin, x2_begin,
 * x1_end, x2_end]); VALID none; SAME_UPPER / SAME_LOWER give output ⌈in / stride⌉ with the odd pixel
 * at the end / the beginning.
 */
export function spatialPads(ctx: MapContext, inHW: Pair, kernel: Pair, strides: Pair, dilations: Pair): Pads {
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  switch (autoPad) {
    case 'NOTSET': case '': {
      const p = ctx.attrs.ints('pads') ?? [0, 0, 0, 0];
      if (p.length !== 4 || p.some((x) => !Number.isSafeInteger(x) || x < 0)) ctx.fail(`pads [${p.join(', ')}] are not four non-negative integers`);
      const [top = 0, left = 0, bottom = 0, right = 0] = p;
      return [top, left, bottom, right];
    }
    case 'VALID': return [0, 0, 0, 0];
    case 'SAME_UPPER': case 'SAME_LOWER': {
      const half = (i: 0 | 1): [number, number] => {
        const out = Math.ceil(inHW[i] / strides[i]);
        const total = Math.max((out - 1) * strides[i] + extent(kernel[i], dilations[i]) - inHW[i], 0);
        const small = Math.floor(total / 2);
        return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
      };
      const [t, b] = half(0);
      const [l, r] = half(1);
      return [t, l, b, r];
    }
    default:
      return ctx.fail(`auto_pad '${autoPad}' is not an ONNX padding mode`);
  }
}

/** Convolution output size: ⌊(in + pads − extent) / stride⌋ + 1. */
export function convOut(ctx: MapContext, inHW: Pair, kernel: Pair, strides: Pair, pads: Pads, dilations: Pair): Pair {
  const o = (i: 0 | 1): number => Math.floor((inHW[i] + pads[i] + pads[i + 2]! - extent(kernel[i], dilations[i])) / strides[i]) + 1;
  const out: Pair = [o(0), o(1)];
  if (out[0] < 1 || out[1] < 1) ctx.fail(`a ${kernel[0]}×${kernel[1]} window does not fit the ${inHW[0]}×${inHW[1]} input`);
  return out;
}

/** Pool output size; with ceil_mode the last window is dropped when it would start in the end padding (PyTorch's and ONNX Runtime's rule). */
export function poolOut(ctx: MapContext, inHW: Pair, kernel: Pair, strides: Pair, pads: Pads, dilations: Pair, ceilMode: boolean): Pair {
  const o = (i: 0 | 1): number => {
    const span = inHW[i] + pads[i] + pads[i + 2]! - extent(kernel[i], dilations[i]);
    let n = (ceilMode ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
    if (ceilMode && (n - 1) * strides[i] >= inHW[i] + pads[i]) n -= 1;
    return n;
  };
  const out: Pair = [o(0), o(1)];
  if (out[0] < 1 || out[1] < 1) ctx.fail(`a ${kernel[0]}×${kernel[1]} window does not fit the ${inHW[0]}×${inHW[1]} input`);
  return out;
}

/**
 * ceil_mode without the rounding rule: PyTorch (and the current ONNX spec) drop a last window that
 * would start in the end padding, ONNX Runtime 1.30 keeps it (and cannot even load such a PyTorch
 * export). When PyTorch drops it, floor mode gives the same windows; when the last window reaches past
 * the end padding, floor mode with that much more end padding gives the same windows too, and the same
 * values where padding does not enter the result (max pools, average pools without count_include_pad).
 * Only an average pool that counts padding keeps ceil_mode, where every rule gives the same size.
 */
export function ceilAsPads(inHW: Pair, kernel: Pair, strides: Pair, pads: Pads, dilations: Pair, out: Pair, padsCount: boolean): { pads: Pads; ceilMode: boolean } {
  const end = [pads[2], pads[3]];
  for (const i of [0, 1] as const) {
    const span = inHW[i] + pads[i] + (end[i] as number) - extent(kernel[i], dilations[i]);
    if (Math.floor(span / strides[i]) + 1 === out[i]) continue;
    const needed = (out[i] - 1) * strides[i] + extent(kernel[i], dilations[i]) - inHW[i] - pads[i];
    if (padsCount || needed >= kernel[i]) return { pads, ceilMode: true }; // runtimes refuse pads ≥ kernel
    end[i] = needed;
  }
  return { pads: [pads[0], pads[1], end[0] as number, end[1] as number], ceilMode: false };
}
