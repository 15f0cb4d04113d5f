// One description of each architecture, two interpreters: TfNet builds tfjs layers, CountNet
// walks shapes to count parameters and MACs without allocating a single weight.
import * as tfl from '@tensorflow/tfjs-layers';
import { ZooSpecError } from './errors.js';

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
function outSide(n: number, k: number, s: number, pad: 'same' | 'valid' | number): number {
  if (pad === 'same') return Math.ceil(n / s);
  const p = pad === 'valid' ? 0 : pad;
  return Math.floor((n + 2 * p - k) / s) + 1;
}

/**
 * How a k×k stride-s convolution is padded. 'same' mode: TF 'same' (stride 2 pads bottom/right).
 * 'torch' mode: PyTorch's symmetric ⌊k/2⌋, as an explicit ZeroPadding2D when stride > 1 (TF 'same'
 * would shift the sampling grid by one pixel and break imported PyTorch weights).
 */
function convPadding(mode: PaddingMode, k: number, s: number): { explicit: number; layer: 'same' | 'valid' } {
  if (k === 1) return { explicit: 0, layer: 'valid' };
  if (s === 1 || mode === 'same') return { explicit: 0, layer: 'same' };
  return { explicit: Math.floor(k / 2), layer: 'valid' };
}

export class TfNet implements Net<tfl.SymbolicTensor> {
  readonly inputs: tfl.SymbolicTensor[] = [];

  constructor(readonly padding: PaddingMode) {}

  input(shape: [number, number, number]): tfl.SymbolicTensor {
    const t = tfl.input({ shape, name: 'input' });
    this.inputs.push(t);
    return t;
  }

  shape(x: tfl.SymbolicTensor): number[] {
    return x.shape.slice(1) as number[];
  }

  private pad(x: tfl.SymbolicTensor, name: string, p: number): tfl.SymbolicTensor {
    return p === 0 ? x : (tfl.layers.zeroPadding2d({ padding: [[p, p], [p, p]], name: `${name}.pad` }).apply(x) as tfl.SymbolicTensor);
  }

  conv(x: tfl.SymbolicTensor, name: string, a: ConvArgs): tfl.SymbolicTensor {
    const s = a.stride ?? 1;
    const p = convPadding(this.padding, a.kernel, s);
    return tfl.layers
      .conv2d({ filters: a.filters, kernelSize: a.kernel, strides: s, padding: p.layer, useBias: a.bias ?? false, name, kernelInitializer: 'zeros' })
      .apply(this.pad(x, name, p.explicit)) as tfl.SymbolicTensor;
  }

  convT(x: tfl.SymbolicTensor, name: string, filters: number): tfl.SymbolicTensor {
    return tfl.layers.conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'valid', useBias: true, name, kernelInitializer: 'zeros' }).apply(x) as tfl.SymbolicTensor;
  }

  bn(x: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    // PyTorch's defaults (eps 1e-5, momentum 0.1 ≡ Keras momentum 0.9), so imported statistics mean the same.
    return tfl.layers.batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name }).apply(x) as tfl.SymbolicTensor;
  }

  relu(x: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    return tfl.layers.reLU({ name }).apply(x) as tfl.SymbolicTensor;
  }

  maxPool(x: tfl.SymbolicTensor, name: string, k: number, s: number): tfl.SymbolicTensor {
    if (k > s && this.padding === 'torch') {
      // Zero padding equals PyTorch's −∞ padding here: the zoo only max-pools post-ReLU (≥ 0) maps.
      return tfl.layers.maxPooling2d({ poolSize: k, strides: s, padding: 'valid', name }).apply(this.pad(x, name, Math.floor(k / 2))) as tfl.SymbolicTensor;
    }
    return tfl.layers.maxPooling2d({ poolSize: k, strides: s, padding: k > s ? 'same' : 'valid', name }).apply(x) as tfl.SymbolicTensor;
  }

  gap(x: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    return tfl.layers.globalAveragePooling2d({ name }).apply(x) as tfl.SymbolicTensor;
  }

  flatten(x: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    return tfl.layers.flatten({ name }).apply(x) as tfl.SymbolicTensor;
  }

  dense(x: tfl.SymbolicTensor, name: string, units: number): tfl.SymbolicTensor {
    return tfl.layers.dense({ units, name, kernelInitializer: 'zeros' }).apply(x) as tfl.SymbolicTensor;
  }

  add(a: tfl.SymbolicTensor, b: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    return tfl.layers.add({ name }).apply([a, b]) as tfl.SymbolicTensor;
  }

  concat(a: tfl.SymbolicTensor, b: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    return tfl.layers.concatenate({ axis: -1, name }).apply([a, b]) as tfl.SymbolicTensor;
  }

  sigmoid(x: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor {
    return tfl.layers.activation({ activation: 'sigmoid', name }).apply(x) as tfl.SymbolicTensor;
  }
}

/** Shapes only: counts trainable parameters (PyTorch's convention), BN buffers, MACs and ReLU sites. */
export class CountNet implements Net<number[]> {
  params = 0;
  buffers = 0;
  macs = 0;
  reluSites = 0;

  constructor(readonly padding: PaddingMode) {}

  input(shape: [number, number, number]): number[] {
    return [...shape];
  }

  shape(x: number[]): number[] {
    return x;
  }

  private spatial(x: number[], name: string): [number, number, number] {
    if (x.length !== 3) throw new ZooSpecError(`${name}: expects an image feature map, got shape [${x.join(', ')}]`);
    return x as [number, number, number];
  }

  conv(x: number[], name: string, a: ConvArgs): number[] {
    const [h, w, c] = this.spatial(x, name);
    const s = a.stride ?? 1;
    const p = convPadding(this.padding, a.kernel, s);
    const pad = p.explicit > 0 ? p.explicit : p.layer;
    const ho = outSide(h, a.kernel, s, pad);
    const wo = outSide(w, a.kernel, s, pad);
    if (ho < 1 || wo < 1) throw new ZooSpecError(`${name}: input ${h}×${w} is too small for a ${a.kernel}×${a.kernel}/${s} convolution`);
    this.params += a.kernel * a.kernel * c * a.filters + (a.bias ? a.filters : 0);
    this.macs += ho * wo * a.filters * a.kernel * a.kernel * c;
    return [ho, wo, a.filters];
  }

  convT(x: number[], name: string, filters: number): number[] {
    const [h, w, c] = this.spatial(x, name);
    this.params += 4 * c * filters + filters;
    this.macs += h * w * c * 4 * filters;
    return [2 * h, 2 * w, filters];
  }

  bn(x: number[]): number[] {
    const c = x[x.length - 1]!;
    this.params += 2 * c;
    this.buffers += 2 * c;
    return x;
  }

  relu(x: number[]): number[] {
    this.reluSites++;
    return x;
  }

  maxPool(x: number[], name: string, k: number, s: number): number[] {
    const [h, w, c] = this.spatial(x, name);
    const pad = k > s ? (this.padding === 'torch' ? Math.floor(k / 2) : 'same') : 'valid';
    const ho = outSide(h, k, s, pad);
    const wo = outSide(w, k, s, pad);
    if (ho < 1 || wo < 1) throw new ZooSpecError(`${name}: input ${h}×${w} is too small for a ${k}×${k}/${s} max-pool`);
    return [ho, wo, c];
  }

  gap(x: number[], name: string): number[] {
    return [this.spatial(x, name)[2]];
  }

  flatten(x: number[]): number[] {
    return [x.reduce((a, b) => a * b, 1)];
  }

  dense(x: number[], name: string, units: number): number[] {
    if (x.length !== 1) throw new ZooSpecError(`${name}: dense needs a flat input, got [${x.join(', ')}]`);
    this.params += x[0]! * units + units;
    this.macs += x[0]! * units;
    return [units];
  }

  add(a: number[], b: number[], name: string): number[] {
    if (a.join() !== b.join()) throw new ZooSpecError(`${name}: cannot add [${a.join(', ')}] and [${b.join(', ')}]`);
    return a;
  }

  concat(a: number[], b: number[], name: string): number[] {
    if (a[0] !== b[0] || a[1] !== b[1]) throw new ZooSpecError(`${name}: cannot concatenate [${a.join(', ')}] and [${b.join(', ')}]`);
    return [a[0]!, a[1]!, a[2]! + b[2]!];
  }

  sigmoid(x: number[]): number[] {
    return x;
  }
}
