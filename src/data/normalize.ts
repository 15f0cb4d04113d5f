// Byte images → normalised floats.
import { DatasetSpecError } from './errors.js';

export type Normalization = 'none' | 'unit' | 'symmetric' | 'standard';

/** CIFAR-10 statistics used by the original study. */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465];
export const CIFAR10_STD = [0.2023, 0.1994, 0.201];

/**
 * Maps bytes b (HWC, `channels` innermost) to floats: 'none' → b, 'unit' → b/255,
 * 'symmetric' → b/127.5 − 1, 'standard' → (b/255 − mean_c)/std_c per channel c.
 */
export function normalizeBytes(bytes: Uint8Array, channels: number, mode: Normalization, mean?: number[], std?: number[]): Float32Array {
  const out = new Float32Array(bytes.length);
  switch (mode) {
    case 'none':
      for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]!;
      return out;
    case 'unit':
      for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
      return out;
    case 'symmetric':
      for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 127.5 - 1;
      return out;
    case 'standard': {
      if (!mean || !std || mean.length !== channels || std.length !== channels) {
        throw new DatasetSpecError(`'standard' normalisation needs ${channels} means and stds`);
      }
      for (let i = 0; i < bytes.length; i++) {
        const c = i % channels;
        out[i] = (bytes[i]! / 255 - mean[c]!) / std[c]!;
      }
      return out;
    }
  }
}

/** Parses "0.1,0.2,0.3" (an option value) into numbers. */
export function parseList(v: string | number | boolean | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = String(v).split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !Number.isFinite(x))) throw new DatasetSpecError(`not a list of numbers: '${String(v)}'`);
  return xs;
}
