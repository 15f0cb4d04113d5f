// The tfjs interpreter of the zoo's descriptions: each Net operation becomes a tfjs-layers layer.
import * as tfl from '@tensorflow/tfjs-layers';
import { convPadding, type ConvArgs, type Net, type PaddingMode } from './net.js';

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
