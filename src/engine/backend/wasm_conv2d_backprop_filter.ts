import {
  backend_util,
  Conv2DBackpropFilter,
  getKernel,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { UnsupportedKernelConfigError } from './errors.js';
import { kernelArgs } from './kernel_args.js';

type Shape4 = [number, number, number, number];

/** Runs one of the wasm backend's own kernels and returns its single output. */
export function runWasmKernel(
  name: string,
  backend: KernelBackend,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (kernel === undefined) {
    throw new UnsupportedKernelConfigError(name, 'wasm', 'this call: the kernel is not registered');
  }
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  const first = Array.isArray(out) ? out[0] : out;
  if (first === undefined) throw new Error(`wasm kernel '${name}' returned no output`);
  return first;
}

function isOne(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'number') return v === 1;
  return Array.isArray(v) && v.every((d) => d === 1);
}

/**
 * Filter gradient of an NHWC conv2d, composed from wasm's Transpose, Conv2D and Slice.
 * With x padded as in the forward pass (padInfo of computeConv2DInfo) and forward stride s:
 *   dW[kh,kw,ci,co] = Σ_{n,i,j} x_pad[n, i·s+kh, j·s+kw, ci] · dy[n,i,j,co]
 *                   = transpose( conv2d( transpose(x_pad,[3,1,2,0]), transpose(dy,[1,2,0,3]),
 *                                        stride 1, 'valid', dilation s )[:, :KH, :KW, :], [1,2,0,3] )
 * i.e. x's channels act as the batch, its batch as the input channels, dy as the filter.
 * The padding is handed to Conv2D as explicit padding, so x_pad is never materialised.
 */
export const wasmConv2DBackpropFilter: KernelFunc = (call) => {
  const { inputs: { x, dy }, attrs: a, backend } = kernelArgs<'x' | 'dy', Conv2DBackpropFilterAttrs & { dilations?: unknown }>(Conv2DBackpropFilter, 'wasm', call, ['x', 'dy']);
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') {
    throw new UnsupportedKernelConfigError(Conv2DBackpropFilter, 'wasm', `dataFormat '${a.dataFormat}' (only NHWC)`);
  }
  if (!isOne(a.dilations)) {
    throw new UnsupportedKernelConfigError(Conv2DBackpropFilter, 'wasm', `dilations ${JSON.stringify(a.dilations)} (only 1)`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new UnsupportedKernelConfigError(Conv2DBackpropFilter, 'wasm', `dtype ${x.dtype}/${dy.dtype} (only float32)`);
  }
  const xShape = x.shape as Shape4;
  const [kh, kw, cin, cout] = a.filterShape;
  const info = backend_util.computeConv2DInfo(
    xShape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const { top, left } = info.padInfo;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  if (dy.shape[1] !== oh || dy.shape[2] !== ow) {
    throw new UnsupportedKernelConfigError(Conv2DBackpropFilter, 'wasm',
      `dy shape ${JSON.stringify(dy.shape)} for forward output ${oh}x${ow}`);
  }
  // Only rows/cols up to (out-1)·s + K of x_pad are read; pad the far side just enough for that.
  const bottom = Math.max(0, (oh - 1) * sh + kh - top - xShape[1]);
  const right = Math.max(0, (ow - 1) * sw + kw - left - xShape[2]);

  const temps: TensorInfo[] = [];
  try {
    const xT = runWasmKernel('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
    temps.push(xT);
    const dyT = runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
    temps.push(dyT);
    const conv = runWasmKernel('Conv2D', backend, { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dilations: [sh, sw],
      dataFormat: 'NHWC',
    });
    temps.push(conv);
    let cropped = conv; // [Cin, H', W', Cout] with H' ≥ KH, W' ≥ KW
    if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
      cropped = runWasmKernel('Slice', backend, { x: conv }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] });
      temps.push(cropped);
    }
    return runWasmKernel('Transpose', backend, { x: cropped }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
};

export const wasmConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: wasmConv2DBackpropFilter,
};
