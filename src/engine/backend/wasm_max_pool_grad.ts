import {
  backend_util,
  MaxPoolGrad,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { UnsupportedKernelConfigError } from './errors.js';
import { kernelArgs } from './kernel_args.js';

/**
 * Input gradient of an NHWC max-pool: dx[argmax of window w] += dy[w], where the argmax is the
 * first maximum of the window's in-bounds values (padding never wins), as TensorFlow and tfjs's
 * cpu backend define it. Replaces tfjs-backend-wasm 4.22's MaxPoolGrad, whose running maximum
 * starts at the smallest *positive* float: a window whose values are all ≤ 0 loses its gradient,
 * which breaks training wherever a max-pool follows anything but a ReLU.
 * Reads x and dy in place on the wasm heap and writes dx there (no copies).
 */
export const wasmMaxPoolGrad: KernelFunc = (call) => {
  const { inputs: { dy, input }, attrs, backend: b } = kernelArgs<'dy' | 'input', MaxPoolGradAttrs>(MaxPoolGrad, 'wasm', call, ['dy', 'input']);
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const backend = b as BackendWasm; // registered for 'wasm' only
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new UnsupportedKernelConfigError(MaxPoolGrad, 'wasm', `dtype ${input.dtype}`);
  }
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: kh, effectiveFilterWidth: kw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput(input.shape, 'float32');
  // views taken after the allocation above: nothing allocates (and moves the heap) from here on
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  // per output pixel, scan the window once with all channels innermost (contiguous in NHWC)
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let bi = 0; bi < n; bi++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - top;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - left;
        best.fill(-Infinity);
        at.fill(-1);
        for (let ky = 0; ky < kh; ky += dh) {
          const y = y0 + ky;
          if (y < 0 || y >= h) continue;
          for (let kx = 0; kx < kw; kx += dw) {
            const xx = x0 + kx;
            if (xx < 0 || xx >= w) continue;
            const base = ((bi * h + y) * w + xx) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!;
              if (v > best[ch]! || at[ch]! < 0) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((bi * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          const i = at[ch]!;
          if (i >= 0) dx[i] = dx[i]! + g[dyBase + ch]!;
        }
      }
    }
  }
  return out;
};

export const wasmMaxPoolGradConfig: KernelConfig = { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: wasmMaxPoolGrad };
