// Cutting large slices (Lucchi: 768×1024) into training-sized patches.
import type { Rng } from './rng.js';

export type CropMode = 'tile' | 'random';

/**
 * Top-left corners of the crops of one h×w slice. 'tile': the non-overlapping grid of size×size
 * tiles that fit (remainder at the bottom/right edge dropped); 'random': `perSlice` uniformly
 * placed crops drawn from `rng`. size ≤ 0 means one crop, the whole slice.
 */
export function cropOrigins(h: number, w: number, size: number, mode: CropMode, perSlice: number, rng: Rng): [number, number][] {
  if (size <= 0) return [[0, 0]];
  const out: [number, number][] = [];
  if (mode === 'tile') {
    for (let y = 0; y + size <= h; y += size) for (let x = 0; x + size <= w; x += size) out.push([y, x]);
  } else {
    for (let i = 0; i < perSlice; i++) out.push([rng.int(h - size + 1), rng.int(w - size + 1)]);
  }
  return out;
}

/** Copies a rows×cols window (single channel) at (y0, x0) of a slice of width w into dst at dstOff. */
export function copyCrop(src: Uint8Array, srcOff: number, w: number, y0: number, x0: number, rows: number, cols: number, dst: Uint8Array, dstOff: number): void {
  for (let y = 0; y < rows; y++) {
    const s = srcOff + (y0 + y) * w + x0;
    dst.set(src.subarray(s, s + cols), dstOff + y * cols);
  }
}
