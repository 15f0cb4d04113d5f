// Spatial layers: Conv, ConvTranspose, pools, BatchNormalization, spatial means.
import type { Pads, Pair } from '../ir/graph.js';
import { inputName, intsOf, weightOf, type MapContext, type ParamSource, type TensorValue } from './context.js';
import { ceilAsPads, convOut, pairAttr, poolOut, spatialPads } from './geometry.js';
import type { Const } from './tensor.js';

/** A [C, H, W] input, or a refusal naming the rank. */
function featureMap(ctx: MapContext): { x: TensorValue; c: number; hw: Pair } {
  const x = ctx.tensor(0);
  if (x.shape.length !== 3) ctx.fail(`input of rank ${x.shape.length + 1}; only 2-D images [N, C, H, W] are supported`);
  return { x, c: x.shape[0] as number, hw: [x.shape[1] as number, x.shape[2] as number] };
}

function groupsOne(ctx: MapContext): void {
  const g = ctx.attrs.int('group', 1);
  if (g !== 1) ctx.fail(`group = ${g}: grouped and depthwise convolutions are not supported (groups must be 1)`);
}

function bias(ctx: MapContext, i: number, channels: number): { data: Float32Array | null; params: ParamSource[] } {
  const b = ctx.constant(i, 'bias');
  if (b === null) return { data: null, params: [] };
  if (b.data.length !== channels) ctx.fail(`bias has ${b.data.length} values for ${channels} output channels`);
  return { data: Float32Array.from(b.data), params: [{ key: inputName(ctx, i), count: channels }] };
}

function kernelWeight(ctx: MapContext): Const {
  const w = ctx.constant(1, 'weight') ?? ctx.fail('the weight input is missing');
  if (w.shape.length !== 4) ctx.fail(`weight of rank ${w.shape.length}; only 2-D kernels are supported`);
  const k = ctx.attrs.ints('kernel_shape');
  if (k && (k[0] !== w.shape[2] || k[1] !== w.shape[3])) ctx.fail(`kernel_shape [${k.join(', ')}] disagrees with the weight's [${w.shape.join(', ')}]`);
  return w;
}

export function mapConv(ctx: MapContext): TensorValue {
  const { x, c, hw } = featureMap(ctx);
  groupsOne(ctx);
  const w = kernelWeight(ctx);
  const [o, i, kh, kw] = w.shape as [number, number, number, number];
  if (i !== c) ctx.fail(`weight expects ${i} input channels, the input has ${c}`);
  const kernel: Pair = [kh, kw];
  const strides = pairAttr(ctx, 'strides', [1, 1]);
  const dilations = pairAttr(ctx, 'dilations', [1, 1]);
  const pads = spatialPads(ctx, hw, kernel, strides, dilations);
  const out = convOut(ctx, hw, kernel, strides, pads, dilations);
  const b = bias(ctx, 2, o);
  return ctx.emit(
    { kind: 'conv', weight: weightOf(w), bias: b.data, strides, pads, dilations },
    [x.id],
    [o, ...out],
    [{ key: inputName(ctx, 1), count: w.data.length }, ...b.params],
  );
}

/** ONNX ConvTranspose: out = stride·(in − 1) + output_padding + extent − pad_begin − pad_end, or output_shape. */
export function mapConvTranspose(ctx: MapContext): TensorValue {
  const { x, c, hw } = featureMap(ctx);
  groupsOne(ctx);
  const w = kernelWeight(ctx);
  const [i, o, kh, kw] = w.shape as [number, number, number, number];
  if (i !== c) ctx.fail(`weight expects ${i} input channels, the input has ${c}`);
  const strides = pairAttr(ctx, 'strides', [1, 1]);
  const dilations = pairAttr(ctx, 'dilations', [1, 1]);
  const outputPadding = ctx.attrs.ints('output_padding') ?? [0, 0];
  if (outputPadding.length !== 2 || outputPadding.some((p, d) => p < 0 || p >= Math.max(strides[d] as number, dilations[d] as number))) {
    ctx.fail(`output_padding [${outputPadding.join(', ')}] is invalid`);
  }
  const full = (d: 0 | 1): number => strides[d] * (hw[d] - 1) + (outputPadding[d] as number) + (([kh, kw][d] as number) - 1) * dilations[d] + 1;
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  const outputShape = ctx.attrs.ints('output_shape');
  let pads: Pads;
  if (outputShape !== undefined || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const target = outputShape ? outputShape.slice(-2) : [hw[0] * strides[0], hw[1] * strides[1]];
    const total = [0, 1].map((d) => full(d as 0 | 1) - (target[d] as number));
    // the spec and runtimes split an odd total differently: refuse rather than guess
    if (total.some((t) => t < 0 || t % 2 !== 0)) ctx.fail(`output_shape / auto_pad needs padding [${total.join(', ')}]; only even, non-negative totals are supported (give explicit pads)`);
    pads = [(total[0] as number) / 2, (total[1] as number) / 2, (total[0] as number) / 2, (total[1] as number) / 2];
  } else if (autoPad === 'NOTSET' || autoPad === '' || autoPad === 'VALID') {
    const p = autoPad === 'VALID' ? [0, 0, 0, 0] : ctx.attrs.ints('pads') ?? [0, 0, 0, 0];
    if (p.length !== 4 || p.some((v) => !Number.isSafeInteger(v) || v < 0)) ctx.fail(`pads [${p.join(', ')}] are not four non-negative integers`);
    pads = [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0];
  } else {
    return ctx.fail(`auto_pad '${autoPad}' is not an ONNX padding mode`);
  }
  const out: Pair = [full(0) - pads[0] - pads[2], full(1) - pads[1] - pads[3]];
  if (out[0] < 1 || out[1] < 1) ctx.fail('the padding removes the whole output');
  const b = bias(ctx, 2, o);
  return ctx.emit(
    { kind: 'convTranspose', weight: weightOf(w), bias: b.data, strides, pads, outputPadding: [outputPadding[0] ?? 0, outputPadding[1] ?? 0], dilations },
    [x.id],
    [o, ...out],
    [{ key: inputName(ctx, 1), count: w.data.length }, ...b.params],
  );
}

function poolGeometry(ctx: MapContext, hw: Pair, padsCount: boolean): { kernel: Pair; strides: Pair; pads: Pads; dilations: Pair; ceilMode: boolean; out: Pair } {
  const k = ctx.attrs.ints('kernel_shape') ?? ctx.fail('kernel_shape is missing');
  if (k.length !== 2) ctx.fail(`kernel_shape [${k.join(', ')}]: only 2-D pools are supported`);
  const kernel = pairAttr(ctx, 'kernel_shape', [1, 1]);
  const strides = pairAttr(ctx, 'strides', [1, 1]);
  const dilations = pairAttr(ctx, 'dilations', [1, 1]);
  const ceilMode = ctx.attrs.int('ceil_mode', 0) === 1;
  const pads = spatialPads(ctx, hw, kernel, strides, dilations);
  if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] || pads[3] >= kernel[1]) ctx.fail(`pads [${pads.join(', ')}] are not smaller than the kernel`);
  const out = poolOut(ctx, hw, kernel, strides, pads, dilations, ceilMode);
  return { kernel, strides, dilations, out, ...(ceilMode ? ceilAsPads(hw, kernel, strides, pads, dilations, out, padsCount) : { pads, ceilMode }) };
}

export function mapMaxPool(ctx: MapContext): TensorValue {
  const { x, c, hw } = featureMap(ctx);
  if (ctx.node.outputs[1] && ctx.uses(ctx.node.outputs[1]) > 0) ctx.fail('the Indices output is used');
  if (ctx.attrs.int('storage_order', 0) !== 0) ctx.fail('storage_order 1 is not supported');
  const g = poolGeometry(ctx, hw, false);
  return ctx.emit({ kind: 'maxPool', kernel: g.kernel, strides: g.strides, pads: g.pads, dilations: g.dilations, ceilMode: g.ceilMode }, [x.id], [c, ...g.out]);
}

export function mapAveragePool(ctx: MapContext): TensorValue {
  const { x, c, hw } = featureMap(ctx);
  const countIncludePad = ctx.attrs.int('count_include_pad', 0) === 1;
  const g = poolGeometry(ctx, hw, countIncludePad);
  if (g.dilations[0] !== 1 || g.dilations[1] !== 1) ctx.fail('dilated average pools are not supported');
  return ctx.emit({ kind: 'avgPool', kernel: g.kernel, strides: g.strides, pads: g.pads, ceilMode: g.ceilMode, countIncludePad }, [x.id], [c, ...g.out]);
}

export function mapGlobalAveragePool(ctx: MapContext): TensorValue {
  const { x, c } = featureMap(ctx);
  return ctx.emit({ kind: 'globalAvgPool' }, [x.id], [c, 1, 1]);
}

/** ReduceMean over the spatial axes = global average pooling (then a reshape to [C] without keepdims). */
export function mapReduceMean(ctx: MapContext): TensorValue {
  const { x, c } = featureMap(ctx);
  const axesConst = ctx.opset >= 18 ? ctx.constant(1, 'axes') : null;
  const axes = (axesConst ? intsOf(ctx, axesConst, 'axes') : ctx.attrs.ints('axes')) ?? [0, 1, 2, 3];
  const norm = [...new Set(axes.map((a) => (a < 0 ? a + 4 : a)))].sort();
  if (norm.length !== 2 || norm[0] !== 2 || norm[1] !== 3) ctx.fail(`ReduceMean over axes [${axes.join(', ')}]: only the spatial mean (axes 2, 3 = global average pooling) is supported`);
  const gap = ctx.emit({ kind: 'globalAvgPool' }, [x.id], [c, 1, 1]);
  if (ctx.attrs.int('keepdims', 1) === 1) return gap;
  return ctx.emit({ kind: 'reshape', shape: [c] }, [gap.id], [c], [], 'squeeze');
}

/** Inference batch-norm: y = scale·(x − mean)/√(var + ε) + B over axis 1 (channels or features). */
export function mapBatchNorm(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  const c = x.shape[0] ?? ctx.fail('a batch-norm of a rank-1 input');
  const trainingOutputs = ctx.node.outputs.slice(1).filter((o) => o !== '').length > 0;
  if (ctx.attrs.int('training_mode', 0) === 1 || trainingOutputs) {
    ctx.fail('a BatchNormalization in training mode (it normalises with batch statistics); export the model in eval mode (model.eval())');
  }
  if (ctx.attrs.int('spatial', 1) !== 1) ctx.fail('spatial = 0 (per-pixel statistics) is not supported');
  const vec = (i: number, what: string): Float32Array => {
    const v = ctx.constant(i, what) ?? ctx.fail(`the ${what} input is missing`);
    if (v.data.length !== c) ctx.fail(`${what} has ${v.data.length} values for ${c} channels`);
    return Float32Array.from(v.data);
  };
  const op = { kind: 'batchNorm', scale: vec(1, 'scale'), bias: vec(2, 'bias'), mean: vec(3, 'mean'), variance: vec(4, 'variance'), epsilon: ctx.attrs.float('epsilon', 1e-5) } as const;
  return ctx.emit(op, [x.id], x.shape, [{ key: inputName(ctx, 1), count: c }, { key: inputName(ctx, 2), count: c }]);
}
