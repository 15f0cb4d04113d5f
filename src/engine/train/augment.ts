// In-place batch augmentation on NHWC floats, drawing from a seeded Rng (repeatable).
import type { Rng } from '../../data/rng.js';

/**
 * Classification: per sample, a random crop of the image zero-padded by `pad` pixels on each side
 * (offsets uniform in [−pad, pad]) followed by a horizontal flip with probability ½.
 */
export function augmentClassification(x: Float32Array, n: number, h: number, w: number, c: number, pad: number, rng: Rng): void {
  const size = h * w * c;
  const tmp = new Float32Array(size);
  for (let i = 0; i < n; i++) {
    const dy = rng.int(2 * pad + 1) - pad;
    const dx = rng.int(2 * pad + 1) - pad;
    const flip = rng.next() < 0.5;
    const img = x.subarray(i * size, (i + 1) * size);
    tmp.fill(0);
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= h) continue;
      for (let xx = 0; xx < w; xx++) {
        const sxRaw = flip ? w - 1 - xx : xx;
        const sx = sxRaw + dx;
        if (sx < 0 || sx >= w) continue;
        for (let ch = 0; ch < c; ch++) tmp[(y * w + xx) * c + ch] = img[(sy * w + sx) * c + ch]!;
      }
    }
    img.set(tmp);
  }
}

/**
 * Segmentation: the same random dihedral transform on image and mask — horizontal flip,
 * vertical flip and (square images only) a rotation by k·90°, each drawn per sample.
 */
export function augmentSegmentation(x: Float32Array, m: Float32Array, n: number, h: number, w: number, c: number, rng: Rng): void {
  const tmpX = new Float32Array(h * w * c);
  const tmpM = new Float32Array(h * w);
  for (let i = 0; i < n; i++) {
    const fh = rng.next() < 0.5;
    const fv = rng.next() < 0.5;
    const k = h === w ? rng.int(4) : 0;
    const img = x.subarray(i * h * w * c, (i + 1) * h * w * c);
    const msk = m.subarray(i * h * w, (i + 1) * h * w);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        // Destination (y, xx) reads the source pixel that the transform maps there.
        let sy = y;
        let sx = xx;
        for (let r = 0; r < k; r++) [sy, sx] = [sx, h - 1 - sy];
        if (fv) sy = h - 1 - sy;
        if (fh) sx = w - 1 - sx;
        tmpM[y * w + xx] = msk[sy * w + sx]!;
        for (let ch = 0; ch < c; ch++) tmpX[(y * w + xx) * c + ch] = img[(sy * w + sx) * c + ch]!;
      }
    }
    img.set(tmpX);
    msk.set(tmpM);
  }
}
