import {
  backend_util,
  Conv2DBackpropInput,
  getKernel,
  registerKernel,
  unregisterKernel,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { kernelArgs } from './kernel_args.js';
import { runWasmKernel } from './wasm_conv2d_backprop_filter.js';

type Shape4 = [number, number, number, number];

/** wasm's own Conv2DBackpropInput (a plain C++ loop), kept for the configurations we do not compose. */
let original: KernelConfig | undefined;

function isOne(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'number') return v === 1;
  return Array.isArray(v) && v.every((d) => d === 1);
}

/**
 * One spatial axis (input size, kernel K, stride s, forward padding `before`, forward output `out`).
 * In padded-x coordinates g = h + before = q·s + r (phase r), dx[h] = Σ_m dy[q − m] · W[r + s·m],
 * i.e. per phase a stride-1 correlation of dy with the phase's taps of W (M = ⌈K/s⌉, W zero-padded
 * to M·s). q runs over [q0, q0 + Q); that reads dy[q0 − M + 1, q0 + Q): outside [0, out) it is zero
 * padding, inside it may need slicing. The phases interleave back to rows (q − q0)·s + r, of which
 * dx is the `size` rows from `crop`.
 */
function axisPlan(size: number, k: number, s: number, before: number, out: number) {
  const m = Math.ceil(k / s);
  const q0 = Math.floor(before / s);
  const q = Math.floor((before + size - 1) / s) - q0 + 1;
  const lo = q0 - m + 1;
  const hi = q0 + q;
  return {
    m,
    q,
    crop: before - q0 * s,
    padBefore: Math.max(0, -lo),
    padAfter: Math.max(0, hi - out),
    sliceBegin: Math.max(0, lo),
    sliceSize: Math.min(out, hi) - Math.max(0, lo),
  };
}

/**
 * Input gradient of an NHWC conv2d (also conv2dTranspose's forward pass), composed from wasm's
 * XNNPACK-backed Conv2D ("sub-pixel" form, no multiplications by inserted zeros):
 *   dx = crop( depth_to_space_{sh,sw}( conv2d(dy, V, stride 1, explicit pad) ) )
 * where V [Mh, Mw, Cout, sh·sw·Cin] holds, per output phase (r, c), the taps W[r + sh·i, c + sw·j]
 * rotated by 180° with in/out channels swapped. For stride 1 this is the classic
 * conv2d(dy, rot180(W)ᵀ) and needs no interleaving. Anything but NHWC / dilation 1 / float32
 * runs wasm's original kernel.
 */
export const wasmConv2DBackpropInput: KernelFunc = (args) => {
  const { inputs: { dy, filter }, attrs: a, backend } = kernelArgs<'dy' | 'filter', Conv2DBackpropInputAttrs & { dilations?: unknown }>(Conv2DBackpropInput, 'wasm', args, ['dy', 'filter']);
  const fallback = (): TensorInfo | TensorInfo[] => {
    if (original === undefined) throw new Error(`wasm ${Conv2DBackpropInput}: original kernel not registered`);
    return original.kernelFunc(args);
  };
  if ((a.dataFormat !== undefined && a.dataFormat !== 'NHWC') || !isOne(a.dilations)) return fallback();
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32' || dy.shape.length !== 4) return fallback();
  const inShape = a.inputShape;
  const fShape = filter.shape as Shape4;
  const [kh, kw, cin, cout] = fShape;
  const info = backend_util.computeConv2DInfo(
    inShape, fShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const [n, h, w] = inShape;
  if (dy.shape[0] !== n || dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== cout
    || inShape[3] !== cin || n * h * w * cin * oh * ow === 0) return fallback();
  const rows = axisPlan(h, kh, sh, info.padInfo.top, oh);
  const cols = axisPlan(w, kw, sw, info.padInfo.left, ow);
  if (rows.sliceSize <= 0 || cols.sliceSize <= 0) return fallback();

  const temps: TensorInfo[] = [];
  const run = (name: string, ins: Record<string, TensorInfo>, at: NamedAttrMap = {}): TensorInfo => {
    const t = runWasmKernel(name, backend, ins, at);
    temps.push(t);
    return t;
  };
  const strided = sh > 1 || sw > 1;
  try {
    // V[i, j, co, (r, c, ci)] = W[r + sh·(Mh−1−i), c + sw·(Mw−1−j), ci, co]
    let wp = filter;
    if (rows.m * sh !== kh || cols.m * sw !== kw) {
      wp = run('PadV2', { x: filter }, {
        paddings: [[0, rows.m * sh - kh], [0, cols.m * sw - kw], [0, 0], [0, 0]], constantValue: 0 });
    }
    const w5 = run('Reshape', { x: wp }, { shape: [rows.m, sh, cols.m, sw * cin, cout] });
    const rev = run('Reverse', { x: w5 }, { dims: [0, 2] });
    const vt = run('Transpose', { x: rev }, { perm: [0, 2, 4, 1, 3] }); // [Mh, Mw, Co, sh, sw·Ci]
    const v = run('Reshape', { x: vt }, { shape: [rows.m, cols.m, cout, sh * sw * cin] });
    let d = dy;
    if (rows.sliceBegin !== 0 || cols.sliceBegin !== 0 || rows.sliceSize !== oh || cols.sliceSize !== ow) {
      d = run('Slice', { x: d }, {
        begin: [0, rows.sliceBegin, cols.sliceBegin, 0], size: [n, rows.sliceSize, cols.sliceSize, cout] });
    }
    const convOpts = {
      strides: [1, 1],
      pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
      dilations: [1, 1],
      dataFormat: 'NHWC',
    };
    let y = run('Conv2D', { x: d, filter: v }, convOpts); // [N, Qh, Qw, sh·sw·Ci]
    if (strided) {
      const y5 = run('Reshape', { x: y }, { shape: [n, rows.q, cols.q, sh, sw * cin] });
      const t5 = run('Transpose', { x: y5 }, { perm: [0, 1, 3, 2, 4] });
      y = run('Reshape', { x: t5 }, { shape: [n, rows.q * sh, cols.q * sw, cin] });
    }
    if (y.shape[1] === h && y.shape[2] === w) {
      temps.pop(); // y, the last temporary, is the result
      return y;
    }
    return runWasmKernel('Slice', backend, { x: y }, { begin: [0, rows.crop, cols.crop, 0], size: [n, h, w, cin] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
};

/**
 * Replaces wasm's Conv2DBackpropInput with the composed one (keeping the original as fallback,
 * and its setupFunc, which wasm runs on tf.setBackend). Idempotent; false when wasm has no such kernel.
 */
export function overrideWasmConv2DBackpropInput(): boolean {
  const current = getKernel(Conv2DBackpropInput, 'wasm');
  if (current === undefined) return false;
  if (current.kernelFunc === wasmConv2DBackpropInput) return true;
  original = current;
  const config: KernelConfig = { ...current, kernelFunc: wasmConv2DBackpropInput };
  unregisterAndRegister(config);
  return true;
}

function unregisterAndRegister(config: KernelConfig): void {
  unregisterKernel(Conv2DBackpropInput, 'wasm');
  registerKernel(config);
}
