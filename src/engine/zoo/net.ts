// One description of each architecture, two interpreters: TfNet (tf-net.ts) builds tfjs layers,
// CountNet (count-net.ts) walks shapes to count parameters and MACs without allocating a single
// weight. This module holds what both share and imports no compute library.

export type PaddingMode = 'same' | 'torch';

export interface ConvArgs {
  filters: number;
  kernel: number;
  stride?: number;
  bias?: boolean;
}

/** The operations the zoo uses; each one maps to a layer the converter supports (conversion.md §1). */
export interface Net<T> {
  readonly padding: PaddingMode;
  input(shape: [number, number, number]): T;
  shape(x: T): number[];
  conv(x: T, name: string, a: ConvArgs): T;
  convT(x: T, name: string, filters: number): T;
  bn(x: T, name: string): T;
  relu(x: T, name: string): T;
  /** k×k max-pool with stride s; 'same'-sized output (ceil(n/s)) only when padded ('torch' pads k>s pools by ⌊k/2⌋). */
  maxPool(x: T, name: string, k: number, s: number): T;
  gap(x: T, name: string): T;
  flatten(x: T, name: string): T;
  dense(x: T, name: string, units: number): T;
  add(a: T, b: T, name: string): T;
  concat(a: T, b: T, name: string): T;
  sigmoid(x: T, name: string): T;
}

/** Output side of a k/s conv or pool with symmetric padding p (PyTorch) or TF 'same' (ceil). */
export function outSide(n: number, k: number, s: number, pad: 'same' | 'valid' | number): number {
  if (pad === 'same') return Math.ceil(n / s);
  const p = pad === 'valid' ? 0 : pad;
  return Math.floor((n + 2 * p - k) / s) + 1;
}

/**
 * How a k×k stride-s convolution is padded. 'same' mode: TF 'same' (stride 2 pads bottom/right).
 * 'torch' mode: PyTorch's symmetric ⌊k/2⌋, as an explicit ZeroPadding2D when stride > 1 (TF 'same'
 * would shift the sampling grid by one pixel and break imported PyTorch weights).
 */
export function convPadding(mode: PaddingMode, k: number, s: number): { explicit: number; layer: 'same' | 'valid' } {
  if (k === 1) return { explicit: 0, layer: 'valid' };
  if (s === 1 || mode === 'same') return { explicit: 0, layer: 'same' };
  return { explicit: Math.floor(k / 2), layer: 'valid' };
}
