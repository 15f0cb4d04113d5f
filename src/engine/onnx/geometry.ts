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
      return [p[0], p[1], p[2], p[3]] as unknown as Pads;
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
