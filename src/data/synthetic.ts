// Seeded synthetic data sets: always labelled synthetic, same seed → same bytes.
import { Rng } from './rng.js';
import type { Split } from './types.js';

export interface SyntheticClassificationOptions {
  numClasses: number;
  height: number;
  width: number;
  channels: number;
  train: number;
  test: number;
  /** Std of the additive Gaussian pixel noise (class signal has amplitude ≈ 1). */
  noise: number;
  seed: number;
}

/**
 * Class c is an oriented grating (angle π·c/K, 2–4 cycles per image) plus a Gaussian blob at a
 * class-specific place; each sample gets a random phase, amplitude in [0.7, 1.3], a ±2 px shift
 * of the blob and N(0, noise²) pixel noise. Pixels are roughly zero-mean, unit scale.
 */
export function syntheticClassification(o: SyntheticClassificationOptions): { train: Split; test: Split } {
  const rng = new Rng(o.seed);
  const blobs = Array.from({ length: o.numClasses }, () => [0.2 + 0.6 * rng.next(), 0.2 + 0.6 * rng.next()] as const);
  return { train: classificationSplit(o, rng, blobs, o.train), test: classificationSplit(o, rng, blobs, o.test) };
}

// The generators are module-level functions, not closures made per call: V8 keeps one optimised
// version of each. A closure made anew per data set was optimised anew every time (about 15 ms of
// compilation on V8's helper threads per load, measured in the worker of bench:scale).
function classificationSplit(o: SyntheticClassificationOptions, rng: Rng, blobs: readonly (readonly [number, number])[], count: number): Split {
  const K = o.numClasses;
  const { height: H, width: W, channels: C } = o;
  const images = new Float32Array(count * H * W * C);
  const labels = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    const c = rng.int(K);
    labels[n] = c;
    const angle = (Math.PI * c) / K;
    const freq = 2 + (c % 3);
    const phase = rng.uniform(0, 2 * Math.PI);
    const amp = rng.uniform(0.7, 1.3);
    const [by, bx] = blobs[c]!;
    const cy = by * H + rng.uniform(-2, 2);
    const cx = bx * W + rng.uniform(-2, 2);
    const sigma = Math.max(H, W) / 8;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const t = (Math.cos(angle) * x) / W + (Math.sin(angle) * y) / H;
        const g = 0.6 * Math.sin(2 * Math.PI * freq * t + phase);
        const b = 1.2 * Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * sigma * sigma));
        for (let ch = 0; ch < C; ch++) {
          const scale = 1 - (0.3 * ch) / Math.max(1, C);
          images[((n * H + y) * W + x) * C + ch] = amp * scale * (g + b) + o.noise * rng.normal();
        }
      }
    }
  }
  return { images, labels, count };
}

export interface SyntheticSegmentationOptions {
  height: number;
  width: number;
  train: number;
  test: number;
  /** Ellipses per image are drawn uniformly from [minObjects, maxObjects]. */
  minObjects: number;
  maxObjects: number;
  noise: number;
  seed: number;
}

/**
 * EM-like images: a bright textured background (low-frequency sinusoids), elliptical
 * "mitochondria" (grey interior with cristae stripes, dark membrane in the outer 15 % of the
 * radius), a 3×3 box blur and Gaussian noise; scaled to [−1, 1] like Lucchi. The mask is exact:
 * 1 inside an ellipse (membrane included), computed before blur and noise.
 */
export function syntheticSegmentation(o: SyntheticSegmentationOptions): { train: Split; test: Split } {
  const rng = new Rng(o.seed);
  return { train: segmentationSplit(o, rng, o.train), test: segmentationSplit(o, rng, o.test) };
}

function segmentationSplit(o: SyntheticSegmentationOptions, rng: Rng, count: number): Split {
  const { height: H, width: W } = o;
  const images = new Float32Array(count * H * W);
  const labels = new Float32Array(count * H * W);
  const img = new Float32Array(H * W);
  for (let n = 0; n < count; n++) {
    const waves = Array.from({ length: 3 }, () => [rng.uniform(0.5, 3), rng.uniform(0, Math.PI), rng.uniform(0, 6.3)] as const);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let v = 0.68;
        for (const [f, a, p] of waves) v += 0.05 * Math.sin((2 * Math.PI * f * (Math.cos(a) * x + Math.sin(a) * y)) / Math.max(H, W) + p);
        img[y * W + x] = v;
      }
    }
    const k = o.minObjects + rng.int(o.maxObjects - o.minObjects + 1);
    const side = Math.min(H, W);
    for (let e = 0; e < k; e++) {
      const cy = rng.uniform(0, H);
      const cx = rng.uniform(0, W);
      const a = rng.uniform(side / 14, side / 5);
      const b = rng.uniform(0.5, 1) * a;
      const th = rng.uniform(0, Math.PI);
      const cos = Math.cos(th);
      const sin = Math.sin(th);
      const stripe = rng.uniform(0.3, 0.6);
      for (let y = Math.max(0, Math.floor(cy - a - 1)); y < Math.min(H, Math.ceil(cy + a + 1)); y++) {
        for (let x = Math.max(0, Math.floor(cx - a - 1)); x < Math.min(W, Math.ceil(cx + a + 1)); x++) {
          const u = (x - cx) * cos + (y - cy) * sin;
          const w = -(x - cx) * sin + (y - cy) * cos;
          const r = Math.sqrt((u / a) ** 2 + (w / b) ** 2);
          if (r > 1) continue;
          labels[n * H * W + y * W + x] = 1;
          img[y * W + x] = r > 0.85 ? 0.15 : 0.42 + 0.08 * Math.sin(u * stripe * 2);
        }
      }
    }
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let s = 0;
        let c = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
            s += img[yy * W + xx]!;
            c++;
          }
        }
        const v = Math.min(1, Math.max(0, s / c + o.noise * rng.normal()));
        images[n * H * W + y * W + x] = 2 * v - 1;
      }
    }
  }
  return { images, labels, count };
}
