// The shape-only interpreter of the zoo's descriptions: no tfjs, no weights (the registry uses it
// on the server's main thread to size a model before storing it).
import { ZooSpecError } from './errors.js';
import { convPadding, outSide, type ConvArgs, type Net, type PaddingMode } from './net.js';

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
