// Constant folding: the shape arithmetic that exporters emit (Shape → Gather → Unsqueeze → Concat →
// Reshape, torch's F.pad order reversal, Resize sizes…) evaluated at import, following the ONNX
// operator specs, so that every Reshape / Pad / Resize target is a constant.
// Values may be affine in the symbolic batch size N (tensor.ts); anything that would need N's value
// is refused.
import type { Attrs } from './attrs.js';
import { elementwise, unaryOp, whereOp } from './fold-math.js';
import { broadcastOffsets, broadcastShapes, forEachIndex, stridesOf, take, withShape } from './indexing.js';
import { concreteValues, DT, makeConst, numel, scalarInt, type Const } from './tensor.js';

export interface FoldContext {
  readonly opType: string;
  readonly opset: number;
  readonly attrs: Attrs;
  readonly maxElements: number;
  /** Throws the importer's error for this node. */
  fail(reason: string): never;
}

/** Ops this module folds when all their inputs are constants. */
export const FOLDABLE = new Set([
  'Constant', 'Identity', 'Dropout', 'Shape', 'Size', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Slice', 'Cast',
  'CastLike', 'ConstantOfShape', 'Range', 'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Abs', 'Floor', 'Ceil', 'Sqrt',
  'Reciprocal', 'Pow', 'Min', 'Max', 'Sum', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not',
  'And', 'Or', 'Where', 'Expand', 'Reshape', 'Flatten', 'Transpose', 'ReduceProd', 'ReduceSum',
]);

function axisOf(axis: number, rank: number, ctx: FoldContext): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) ctx.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

function concrete(c: Const, what: string, ctx: FoldContext): number[] {
  if (c.batch !== null) ctx.fail(`${what} depends on the batch size`);
  return concreteValues(c);
}

function checkSize(shape: readonly number[], ctx: FoldContext): void {
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) ctx.fail(`invalid shape [${shape.join(', ')}]`);
  if (numel(shape) > ctx.maxElements) ctx.fail(`a constant of shape [${shape.join(', ')}] exceeds ${ctx.maxElements} elements`);
}

/** Axes from the attribute (before `inputFrom`) or from input 1 (from that opset on). */
function axesArg(inputs: readonly (Const | null)[], ctx: FoldContext, inputFrom: number): number[] | undefined {
  if (ctx.opset >= inputFrom) {
    const a = inputs[1];
    return a ? concrete(a, 'axes', ctx) : undefined;
  }
  return ctx.attrs.ints('axes');
}

/** ONNX Reshape target → output shape (0 copies, −1 infers, allowzero keeps literal zeros). */
export function reshapeTarget(inShape: readonly number[], target: readonly number[], allowZero: boolean, ctx: FoldContext): number[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? (inShape[i] ?? ctx.fail(`Reshape copies dimension ${i}, which the input lacks`)) : d));
  const total = numel(inShape);
  const free = out.filter((d) => d === -1).length;
  if (free > 1 || out.some((d) => d < -1 || !Number.isSafeInteger(d))) ctx.fail(`invalid Reshape target [${target.join(', ')}]`);
  if (free === 1) {
    const known = numel(out.filter((d) => d !== -1));
    if (known === 0 || total % known !== 0) ctx.fail(`Reshape target [${target.join(', ')}] does not fit ${total} elements`);
    out[out.indexOf(-1)] = total / known;
  }
  if (numel(out) !== total) ctx.fail(`Reshape target [${target.join(', ')}] does not fit ${total} elements`);
  return out;
}

function gather(data: Const, indices: Const, axisAttr: number, ctx: FoldContext): Const {
  const r = data.shape.length;
  if (r === 0) ctx.fail('Gather of a scalar');
  const axis = axisOf(axisAttr, r, ctx);
  const dim = data.shape[axis] as number;
  const idx = concrete(indices, 'Gather indices', ctx).map((i) => {
    const j = i < 0 ? i + dim : i;
    if (!Number.isInteger(j) || j < 0 || j >= dim) ctx.fail(`Gather index ${i} is out of range for a dimension of ${dim}`);
    return j;
  });
  const outShape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  checkSize(outShape, ctx);
  const strides = stridesOf(data.shape);
  const inner = numel(data.shape.slice(axis + 1));
  const outer = numel(data.shape.slice(0, axis));
  const offsets: number[] = [];
  for (let o = 0; o < outer; o++) for (const j of idx) for (let k = 0; k < inner; k++) offsets.push(o * (axis > 0 ? (strides[axis - 1] as number) : 0) + j * inner + k);
  return take(data, outShape, offsets);
}

function slice(data: Const, starts: number[], ends: number[], axesIn: number[] | undefined, stepsIn: number[] | undefined, ctx: FoldContext): Const {
  const r = data.shape.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => axisOf(a, r, ctx));
  const steps = stepsIn ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) ctx.fail('Slice starts, ends, axes and steps differ in length');
  const first = data.shape.map(() => 0);
  const step = data.shape.map(() => 1);
  const count = [...data.shape];
  axes.forEach((a, i) => {
    const dim = data.shape[a] as number;
    const s = steps[i] as number;
    if (s === 0 || !Number.isInteger(s)) ctx.fail('Slice step 0');
    let b = starts[i] as number;
    let e = ends[i] as number;
    b = b < 0 ? b + dim : b;
    e = e < 0 ? e + dim : e;
    if (s > 0) {
      b = Math.min(Math.max(b, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
      count[a] = Math.max(0, Math.ceil((e - b) / s));
    } else {
      b = Math.min(Math.max(b, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      count[a] = Math.max(0, Math.ceil((e - b) / s));
    }
    first[a] = b;
    step[a] = s;
  });
  const strides = stridesOf(data.shape);
  const offsets: number[] = [];
  forEachIndex(count, (idx) => {
    let off = 0;
    for (let d = 0; d < r; d++) off += ((first[d] as number) + (idx[d] as number) * (step[d] as number)) * (strides[d] as number);
    offsets.push(off);
  });
  return take(data, count, offsets);
}

function transpose(data: Const, permIn: number[] | undefined, ctx: FoldContext): Const {
  const r = data.shape.length;
  const perm = permIn ?? data.shape.map((_, i) => r - 1 - i);
  if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) ctx.fail(`invalid Transpose perm [${perm.join(', ')}]`);
  const outShape = perm.map((p) => data.shape[p] as number);
  const strides = stridesOf(data.shape);
  const offsets = new Int32Array(numel(outShape));
  forEachIndex(outShape, (idx, flat) => {
    let off = 0;
    for (let d = 0; d < r; d++) off += (idx[d] as number) * (strides[perm[d] as number] as number);
    offsets[flat] = off;
  });
  return take(data, outShape, offsets);
}

function concat(parts: Const[], axisAttr: number, ctx: FoldContext): Const {
  const first = parts[0] ?? ctx.fail('Concat of nothing');
  const r = first.shape.length;
  const axis = axisOf(axisAttr, r, ctx);
  for (const p of parts) {
    if (p.shape.length !== r || p.shape.some((d, i) => i !== axis && d !== first.shape[i])) ctx.fail('Concat inputs differ in shape');
  }
  const outShape = [...first.shape];
  outShape[axis] = parts.reduce((a, p) => a + (p.shape[axis] as number), 0);
  checkSize(outShape, ctx);
  const outer = numel(first.shape.slice(0, axis));
  const values: number[] = [];
  const batch: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = numel(p.shape.slice(axis));
      for (let k = 0; k < chunk; k++) {
        values.push(p.data[o * chunk + k] as number);
        batch.push(p.batch ? (p.batch[o * chunk + k] as number) : 0);
      }
    }
  }
  return makeConst(first.dtype, outShape, values, batch);
}

function reduce(data: Const, axesIn: number[] | undefined, keepDims: boolean, noopEmpty: boolean, kind: 'prod' | 'sum', ctx: FoldContext): Const {
  const v = concrete(data, `${kind === 'prod' ? 'ReduceProd' : 'ReduceSum'} input`, ctx);
  const r = data.shape.length;
  if ((axesIn === undefined || axesIn.length === 0) && noopEmpty) return data;
  const axes = new Set((axesIn === undefined || axesIn.length === 0 ? data.shape.map((_, i) => i) : axesIn).map((a) => axisOf(a, r, ctx)));
  const kept = data.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const out = new Float64Array(numel(kept)).fill(kind === 'prod' ? 1 : 0);
  const keptStrides = stridesOf(kept);
  forEachIndex(data.shape, (idx, flat) => {
    let o = 0;
    for (let d = 0; d < r; d++) if (!axes.has(d)) o += (idx[d] as number) * (keptStrides[d] as number);
    out[o] = kind === 'prod' ? (out[o] as number) * (v[flat] as number) : (out[o] as number) + (v[flat] as number);
  });
  return makeConst(data.dtype, keepDims ? kept : data.shape.filter((_, i) => !axes.has(i)), out);
}

function constantNode(ctx: FoldContext): Const {
  const a = ctx.attrs;
  const t = a.tensor('value');
  if (t) return t;
  if (a.has('value_float')) return makeConst(DT.FLOAT, [], [a.float('value_float', 0)]);
  if (a.has('value_floats')) return makeConst(DT.FLOAT, [a.floats('value_floats')?.length ?? 0], a.floats('value_floats') ?? []);
  if (a.has('value_int')) return scalarInt(a.int('value_int', 0));
  if (a.has('value_ints')) return makeConst(DT.INT64, [a.ints('value_ints')?.length ?? 0], a.ints('value_ints') ?? []);
  return ctx.fail('a Constant without a numeric value (sparse or string constants are not supported)');
}

/**
 * Evaluates one node on constant inputs (`null` = an omitted optional input) and returns its outputs.
 * Shape and Size of computed tensors are handled by the importer (it knows their static shapes).
 */
export function foldOp(inputs: readonly (Const | null)[], ctx: FoldContext): Const[] {
  const a = ctx.attrs;
  const arg = (i: number): Const => inputs[i] ?? ctx.fail(`input ${i} is missing`);
  const x = (): Const => arg(0);
  switch (ctx.opType) {
    case 'Constant': return [constantNode(ctx)];
    case 'Identity': case 'Dropout': return [x()];
    case 'Shape': {
      const r = x().shape.length;
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const dims = x().shape.slice(clamp(a.int('start', 0)), clamp(a.int('end', r)));
      return [makeConst(DT.INT64, [dims.length], dims)];
    }
    case 'Size': return [scalarInt(numel(x().shape))];
    case 'Gather': return [gather(x(), arg(1), a.int('axis', 0), ctx)];
    case 'Unsqueeze': {
      const axesRaw = axesArg(inputs, ctx, 13) ?? ctx.fail('Unsqueeze without axes');
      const r = x().shape.length + axesRaw.length;
      const axes = new Set(axesRaw.map((ax) => axisOf(ax, r, ctx)));
      const rest = [...x().shape];
      return [withShape(x(), Array.from({ length: r }, (_, i) => (axes.has(i) ? 1 : (rest.shift() as number))))];
    }
    case 'Squeeze': {
      const axesRaw = axesArg(inputs, ctx, 13);
      const r = x().shape.length;
      const axes = new Set((axesRaw ?? x().shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((ax) => axisOf(ax, r, ctx)));
      for (const ax of axes) if (x().shape[ax] !== 1) ctx.fail(`Squeeze of axis ${ax}, which has size ${x().shape[ax]}`);
      return [withShape(x(), x().shape.filter((_, i) => !axes.has(i)))];
    }
    case 'Concat': return [concat(inputs.filter((c): c is Const => c !== null), a.int('axis', 0), ctx)];
    case 'Slice': {
      if (ctx.opset < 10) return [slice(x(), a.ints('starts') ?? [], a.ints('ends') ?? [], a.ints('axes'), undefined, ctx)];
      const opt = (i: number): number[] | undefined => (inputs[i] ? concrete(inputs[i], 'Slice argument', ctx) : undefined);
      return [slice(x(), concrete(arg(1), 'Slice starts', ctx), concrete(arg(2), 'Slice ends', ctx), opt(3), opt(4), ctx)];
    }
    case 'Cast': case 'CastLike': {
      const to = ctx.opType === 'Cast' ? a.int('to', 0) : arg(1).dtype;
      const c = x();
      const values = Array.from(c.data);
      if (c.batch && values.some((v, i) => !Number.isInteger(v) || !Number.isInteger(c.batch?.[i]))) ctx.fail('a cast of a batch-dependent fraction');
      return [makeConst(to, c.shape, values, c.batch)];
    }
    case 'ConstantOfShape': {
      const shape = concrete(x(), 'ConstantOfShape shape', ctx);
      checkSize(shape, ctx);
      const value = a.tensor('value') ?? makeConst(DT.FLOAT, [1], [0]);
      return [makeConst(value.dtype, shape, new Float64Array(numel(shape)).fill(value.data[0] ?? 0))];
    }
    case 'Range': {
      const [start, limit, delta] = [0, 1, 2].map((i) => concrete(arg(i), 'Range argument', ctx)[0] ?? ctx.fail('Range argument is empty')) as [number, number, number];
      if (delta === 0) ctx.fail('Range with delta 0');
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      checkSize([n], ctx);
      return [makeConst(arg(0).dtype, [n], Array.from({ length: n }, (_, i) => start + i * delta))];
    }
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow': case 'Min': case 'Max': case 'Sum':
    case 'Equal': case 'Less': case 'Greater': case 'LessOrEqual': case 'GreaterOrEqual': case 'And': case 'Or':
      return [elementwise(ctx.opType, inputs.filter((c): c is Const => c !== null), ctx)];
    case 'Neg': case 'Abs': case 'Floor': case 'Ceil': case 'Sqrt': case 'Reciprocal': case 'Not':
      return [unaryOp(ctx.opType, x(), ctx)];
    case 'Where': return [whereOp(arg(0), arg(1), arg(2), ctx)];
    case 'Expand': {
      const target = concrete(arg(1), 'Expand shape', ctx);
      const out = broadcastShapes([x().shape, target]) ?? ctx.fail(`cannot expand [${x().shape.join(', ')}] to [${target.join(', ')}]`);
      checkSize(out, ctx);
      return [take(x(), out, broadcastOffsets(out, x().shape))];
    }
    case 'Reshape': {
      const target = ctx.opset < 5 ? (a.ints('shape') ?? []) : concrete(arg(1), 'Reshape shape', ctx);
      return [withShape(x(), reshapeTarget(x().shape, target, a.int('allowzero', 0) === 1, ctx))];
    }
    case 'Flatten': {
      const r = x().shape.length;
      const axisRaw = a.int('axis', 1);
      const axis = axisRaw < 0 ? axisRaw + r : axisRaw;
      if (axis < 0 || axis > r) ctx.fail(`Flatten axis ${axisRaw} is out of range`);
      return [withShape(x(), [numel(x().shape.slice(0, axis)), numel(x().shape.slice(axis))])];
    }
    case 'Transpose': return [transpose(x(), a.ints('perm'), ctx)];
    case 'ReduceProd': case 'ReduceSum': {
      const axesFromInput = ctx.opType === 'ReduceSum' ? 13 : 18;
      return [reduce(x(), axesArg(inputs, ctx, axesFromInput), a.int('keepdims', 1) === 1, a.int('noop_with_empty_axes', 0) === 1, ctx.opType === 'ReduceProd' ? 'prod' : 'sum', ctx)];
    }
    default:
      return ctx.fail('this operation is not supported on constants');
  }
}
