/** [N, H, W, C] → [N, C, H, W] (row-major): the data sets' NHWC images as the IR's NCHW batches. */
export function nhwcToNchw(src: Float32Array, n: number, h: number, w: number, c: number, dst = new Float32Array(n * c * h * w)): Float32Array {
  const hw = h * w;
  for (let b = 0; b < n; b++) {
    const s0 = b * hw * c;
    const d0 = b * hw * c;
    for (let p = 0; p < hw; p++) {
      for (let k = 0; k < c; k++) dst[d0 + k * hw + p] = src[s0 + p * c + k] as number;
    }
  }
  return dst;
}

/** [N, C, H, W] → [N, H, W, C] (row-major). */
export function nchwToNhwc(src: Float32Array, n: number, c: number, h: number, w: number, dst = new Float32Array(n * c * h * w)): Float32Array {
  const hw = h * w;
  for (let b = 0; b < n; b++) {
    const o = b * hw * c;
    for (let k = 0; k < c; k++) {
      for (let p = 0; p < hw; p++) dst[o + p * c + k] = src[o + k * hw + p] as number;
    }
  }
  return dst;
}
