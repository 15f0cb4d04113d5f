// One ONNX node with at least one computed input → graph IR node(s). Activations live here; layers in
// map-conv / map-dense / map-shape.
import { intsOf, type MapContext, type TensorValue } from './context.js';
import { mapAveragePool, mapBatchNorm, mapConv, mapConvTranspose, mapGlobalAveragePool, mapMaxPool, mapReduceMean } from './map-conv.js';
import { mapAdd, mapGemm, mapMatMul, mapSum } from './map-dense.js';
import { mapConcat, mapFlatten, mapPad, mapReshape, mapResize, mapSqueeze, mapTranspose } from './map-shape.js';

/** float32 lowest / max: Clip's defaults before opset 11, and what "no bound" looks like in files. */
const F32_MAX = 3.4028234663852886e38;

/** Clip(0, max) is an activation site with a ceiling; Clip(0, ∞) is a plain ReLU. Any other lower bound is refused. */
function mapClip(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  const bound = (i: number, attr: string, fallback: number): number => {
    if (ctx.opset < 11) return ctx.attrs.float(attr, fallback);
    const c = ctx.constant(i, attr);
    if (c === null) return fallback;
    const v = intsOf(ctx, c, attr);
    if (v.length !== 1) ctx.fail(`${attr} is not a scalar`);
    return v[0] as number;
  };
  const min = bound(1, 'min', -F32_MAX);
  const max = bound(2, 'max', F32_MAX);
  if (min !== 0) ctx.fail(`Clip(min = ${min}) is not a ReLU; the SNN method converts ReLU activations (Clip with min 0) only`);
  if (!(max > 0)) ctx.fail(`Clip(0, ${max}) has no positive range`);
  return ctx.emit({ kind: 'relu', max: max >= F32_MAX ? null : max }, [x.id], x.shape);
}

function mapSoftmax(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  const axis = ctx.attrs.int('axis', ctx.opset < 13 ? 1 : -1);
  if (x.shape.length !== 1 || (axis !== 1 && axis !== -1)) ctx.fail('only a softmax over the class axis of [batch, classes] logits is supported');
  return ctx.emit({ kind: 'softmax' }, [x.id], x.shape);
}

/** Dropout in inference is the identity; a used mask or training_mode = true is refused. */
function mapDropout(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  if (ctx.node.outputs[1] && ctx.uses(ctx.node.outputs[1]) > 0) ctx.fail('the mask output is used');
  const training = ctx.opset >= 12 ? ctx.constant(2, 'training_mode') : null;
  if (training !== null && (training.data[0] ?? 0) !== 0) ctx.fail('training_mode is true');
  return x;
}

const MAPPERS: Readonly<Record<string, (ctx: MapContext) => TensorValue>> = {
  Conv: mapConv,
  ConvTranspose: mapConvTranspose,
  BatchNormalization: mapBatchNorm,
  Relu: (ctx) => {
    const x = ctx.tensor(0);
    return ctx.emit({ kind: 'relu', max: null }, [x.id], x.shape);
  },
  Clip: mapClip,
  MaxPool: mapMaxPool,
  AveragePool: mapAveragePool,
  GlobalAveragePool: mapGlobalAveragePool,
  ReduceMean: mapReduceMean,
  Gemm: mapGemm,
  MatMul: mapMatMul,
  Add: mapAdd,
  Sum: mapSum,
  Concat: mapConcat,
  Flatten: mapFlatten,
  Reshape: mapReshape,
  Squeeze: mapSqueeze,
  Unsqueeze: mapSqueeze,
  Transpose: mapTranspose,
  Pad: mapPad,
  Resize: mapResize,
  Upsample: mapResize,
  Sigmoid: (ctx) => {
    const x = ctx.tensor(0);
    return ctx.emit({ kind: 'sigmoid' }, [x.id], x.shape);
  },
  Softmax: mapSoftmax,
  Identity: (ctx) => ctx.tensor(0),
  Dropout: mapDropout,
};

/** Maps a node that reads computed tensors; refuses any op (or option) the importer does not support. */
export function mapNode(ctx: MapContext, foldable: boolean): TensorValue {
  const mapper = Object.hasOwn(MAPPERS, ctx.node.opType) ? MAPPERS[ctx.node.opType] : undefined;
  if (mapper === undefined) {
    return ctx.fail(foldable ? 'this operation is supported on constants only (shape arithmetic), not on computed tensors' : 'this operation is not supported');
  }
  return mapper(ctx);
}
