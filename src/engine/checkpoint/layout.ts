// Name and layout mapping between the zoo's tfjs weights and PyTorch state_dict tensors.
import type * as tfl from '@tensorflow/tfjs-layers';

/** Permutes an n-d row-major array: out axis i is input axis perm[i]. */
export function permute(values: Float32Array, shape: number[], perm: number[]): { values: Float32Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(values.length);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < idx.length; i++) src += idx[i]! * inStrides[perm[i]!]!;
    out[o] = values[src]!;
    for (let i = idx.length - 1; i >= 0; i--) {
      if (++idx[i]! < outShape[i]!) break;
      idx[i] = 0;
    }
  }
  return { values: out, shape: outShape };
}

function inverse(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** One tfjs weight and its PyTorch counterpart. */
export interface TorchEntry {
  torchName: string;
  torchShape: number[];
  weight: tfl.LayerVariable;
  /** tfjs values → PyTorch layout. */
  toTorch(values: Float32Array): Float32Array;
  /** PyTorch layout → tfjs values. */
  fromTorch(values: Float32Array): Float32Array;
}

const BN_NAMES: Record<string, string> = { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' };

/** [h, w, c] of the feature map a Dense layer sees through a Flatten, or null. */
function flattenedFrom(layer: tfl.layers.Layer): [number, number, number] | null {
  const prev = layer.inboundNodes[0]?.inboundLayers[0];
  if (!prev || prev.getClassName() !== 'Flatten') return null;
  const shape = prev.inboundNodes[0]?.inputTensors[0]?.shape.slice(1) ?? [];
  return shape.length === 3 && (shape[0] ?? 1) * (shape[1] ?? 1) > 1 ? (shape as [number, number, number]) : null;
}

/**
 * The PyTorch view of every weight of `model`: module path = tfjs layer name (the zoo names its
 * layers like torchvision modules), suffix weight/bias/running_mean/running_var. Layouts: conv
 * [kh,kw,in,out] ↔ [out,in,kh,kw]; transposed conv [kh,kw,out,in] ↔ [in,out,kh,kw]; dense
 * [in,out] ↔ [out,in], with rows reordered from NHWC to NCHW flattening when the dense follows a
 * Flatten of an h×w×c map (h·w > 1).
 */
export function torchEntries(model: tfl.LayersModel): TorchEntry[] {
  const out: TorchEntry[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    for (const w of layer.weights) {
      const short = w.originalName.split('/').pop()!;
      const shape = w.shape as number[];
      const id = (v: Float32Array) => v;
      let suffix = short === 'kernel' ? 'weight' : short;
      let toTorch = id;
      let fromTorch = id;
      let torchShape = shape;
      if (cls === 'BatchNormalization') suffix = BN_NAMES[short] ?? short;
      if (short === 'kernel' && (cls === 'Conv2D' || cls === 'Conv2DTranspose')) {
        const perm = [3, 2, 0, 1];
        torchShape = perm.map((p) => shape[p]!);
        toTorch = (v) => permute(v, shape, perm).values;
        fromTorch = (v) => permute(v, torchShape, inverse(perm)).values;
      } else if (short === 'kernel' && cls === 'Dense') {
        const [nIn, nOut] = shape as [number, number];
        torchShape = [nOut, nIn];
        const hwc = flattenedFrom(layer);
        if (hwc === null) {
          toTorch = (v) => permute(v, shape, [1, 0]).values;
          fromTorch = (v) => permute(v, torchShape, [1, 0]).values;
        } else {
          const [h, w, c] = hwc;
          // tfjs kernel [h,w,c,out] ↔ torch [out,c,h,w]
          toTorch = (v) => permute(v, [h, w, c, nOut], [3, 2, 0, 1]).values;
          fromTorch = (v) => permute(v, [nOut, c, h, w], [2, 3, 1, 0]).values;
        }
      }
      out.push({ torchName: `${layer.name}.${suffix}`, torchShape, weight: w, toTorch, fromTorch });
    }
  }
  return out;
}
