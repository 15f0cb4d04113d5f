// Element-wise constant folding with numpy broadcasting, on values that may be affine in the batch
// size N (c + k·N): sums, differences, products with a constant and exact quotients stay exact for
// every N; anything else that touches N is refused.
import type { FoldContext } from './fold.js';
import { broadcastOffsets, broadcastShapes } from './indexing.js';
import { DT, elemType, makeConst, numel, type Const } from './tensor.js';

type Affine = readonly [number, number];

const COMPARISONS = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or']);

function divide(a: number, b: number, integer: boolean): number {
  return integer ? Math.trunc(a / b) : a / b;
}

function binary(op: string, [c1, k1]: Affine, [c2, k2]: Affine, integer: boolean, ctx: FoldContext): Affine {
  const symbolic = k1 !== 0 || k2 !== 0;
  const dependent = (): never => ctx.fail(`${op} of values that depend on the batch size cannot be resolved statically`);
  switch (op) {
    case 'Add': case 'Sum': return [c1 + c2, k1 + k2];
    case 'Sub': return [c1 - c2, k1 - k2];
    case 'Mul': return k1 !== 0 && k2 !== 0 ? dependent() : [c1 * c2, c1 * k2 + k1 * c2];
    case 'Div': {
      if (k2 === 0) {
        if (c2 === 0) return ctx.fail('division by zero in shape arithmetic');
        if (integer && (c1 % c2 !== 0 || k1 % c2 !== 0) && k1 !== 0) return dependent();
        return [divide(c1, c2, integer), k1 === 0 ? 0 : k1 / c2];
      }
      return c1 === 0 && c2 === 0 ? [divide(k1, k2, integer), 0] : dependent();
    }
    case 'Equal': {
      if (!symbolic) return [c1 === c2 ? 1 : 0, 0];
      if (k1 === k2) return [c1 === c2 ? 1 : 0, 0];
      const n = (c2 - c1) / (k1 - k2);
      return Number.isInteger(n) && n >= 1 ? dependent() : [0, 0];
    }
    default:
      break;
  }
  if (symbolic) return dependent();
  switch (op) {
    case 'Pow': return [c1 ** c2, 0];
    case 'Min': return [Math.min(c1, c2), 0];
    case 'Max': return [Math.max(c1, c2), 0];
    case 'Less': return [c1 < c2 ? 1 : 0, 0];
    case 'Greater': return [c1 > c2 ? 1 : 0, 0];
    case 'LessOrEqual': return [c1 <= c2 ? 1 : 0, 0];
    case 'GreaterOrEqual': return [c1 >= c2 ? 1 : 0, 0];
    case 'And': return [c1 !== 0 && c2 !== 0 ? 1 : 0, 0];
    case 'Or': return [c1 !== 0 || c2 !== 0 ? 1 : 0, 0];
    default: return ctx.fail(`${op} is not foldable`);
  }
}

/** Numpy-broadcast binary (or variadic: Sum, Min, Max) operation on constants. */
export function elementwise(op: string, args: readonly Const[], ctx: FoldContext): Const {
  const first = args[0] ?? ctx.fail(`${op} without inputs`);
  const shape = broadcastShapes(args.map((c) => c.shape)) ?? ctx.fail(`${op} of incompatible shapes ${args.map((c) => `[${c.shape.join(', ')}]`).join(' and ')}`);
  if (numel(shape) > ctx.maxElements) ctx.fail(`a constant of shape [${shape.join(', ')}] exceeds ${ctx.maxElements} elements`);
  const integer = elemType(first.dtype) !== 'float';
  const offsets = args.map((c) => broadcastOffsets(shape, c.shape));
  const n = numel(shape);
  const values = new Float64Array(n);
  const batch = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc: Affine = [first.data[offsets[0]?.[i] as number] as number, first.batch?.[offsets[0]?.[i] as number] ?? 0];
    for (let j = 1; j < args.length; j++) {
      const c = args[j] as Const;
      const o = (offsets[j] as Int32Array)[i] as number;
      acc = binary(op, acc, [c.data[o] as number, c.batch?.[o] ?? 0], integer, ctx);
    }
    values[i] = acc[0];
    batch[i] = acc[1];
  }
  return makeConst(COMPARISONS.has(op) ? DT.BOOL : first.dtype, shape, values, batch);
}

export function unaryOp(op: string, x: Const, ctx: FoldContext): Const {
  const n = x.data.length;
  const values = new Float64Array(n);
  const batch = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = x.data[i] as number;
    const k = x.batch?.[i] ?? 0;
    if (op === 'Neg') {
      values[i] = -c;
      batch[i] = -k;
    } else if (k !== 0 && (op === 'Floor' || op === 'Ceil') && Number.isInteger(c) && Number.isInteger(k)) {
      values[i] = c;
      batch[i] = k;
    } else if (k !== 0 && op === 'Abs' && c === 0) {
      batch[i] = Math.abs(k); // N ≥ 1
    } else if (k !== 0) {
      return ctx.fail(`${op} of a value that depends on the batch size cannot be resolved statically`);
    } else {
      values[i] = op === 'Abs' ? Math.abs(c) : op === 'Floor' ? Math.floor(c) : op === 'Ceil' ? Math.ceil(c) : op === 'Sqrt' ? Math.sqrt(c) : op === 'Reciprocal' ? 1 / c : c === 0 ? 1 : 0;
    }
  }
  return makeConst(x.dtype, x.shape, values, batch);
}

export function whereOp(cond: Const, x: Const, y: Const, ctx: FoldContext): Const {
  if (cond.batch !== null) ctx.fail('a Where condition that depends on the batch size');
  const shape = broadcastShapes([cond.shape, x.shape, y.shape]) ?? ctx.fail('Where of incompatible shapes');
  const [oc, ox, oy] = [cond, x, y].map((c) => broadcastOffsets(shape, c.shape)) as [Int32Array, Int32Array, Int32Array];
  const n = numel(shape);
  const values = new Float64Array(n);
  const batch = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const src = cond.data[oc[i] as number] !== 0 ? x : y;
    const o = (src === x ? ox[i] : oy[i]) as number;
    values[i] = src.data[o] as number;
    batch[i] = src.batch?.[o] ?? 0;
  }
  return makeConst(x.dtype, shape, values, batch);
}
