// Row-major index arithmetic for constant folding: broadcasting and element moves (gather, slice,
// transpose) expressed as a source offset per output element, applied to values and batch terms alike.
import { makeConst, numel, type Const } from './tensor.js';

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (shape[i + 1] as number);
  return s;
}

/** Numpy broadcasting of several shapes; null when they are incompatible. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i] as number;
      const cur = out[o] as number;
      if (d === cur || d === 1) continue;
      if (cur !== 1) return null;
      out[o] = d;
    }
  }
  return out;
}

/** Calls fn(index, flat) for every multi-index of `shape` in row-major order (index is reused: copy it to keep it). */
export function forEachIndex(shape: readonly number[], fn: (index: readonly number[], flat: number) => void): void {
  const n = numel(shape);
  if (n === 0) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    fn(idx, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (shape[d] as number)) break;
      idx[d] = 0;
    }
  }
}

/** Source offset in a tensor of `inShape` for every element of `outShape` it is broadcast to. */
export function broadcastOffsets(outShape: readonly number[], inShape: readonly number[]): Int32Array {
  const strides = stridesOf(inShape);
  const shift = outShape.length - inShape.length;
  const out = new Int32Array(numel(outShape));
  forEachIndex(outShape, (idx, flat) => {
    let off = 0;
    for (let i = 0; i < inShape.length; i++) if ((inShape[i] as number) !== 1) off += (idx[i + shift] as number) * (strides[i] as number);
    out[flat] = off;
  });
  return out;
}

/** A tensor of `shape` whose element i is c's element offsets[i] (value and batch term). */
export function take(c: Const, shape: readonly number[], offsets: ArrayLike<number>): Const {
  const n = offsets.length;
  const values = new Float64Array(n);
  const batch = c.batch ? new Float64Array(n) : null;
  for (let i = 0; i < n; i++) {
    const o = offsets[i] as number;
    values[i] = c.data[o] as number;
    if (batch && c.batch) batch[i] = c.batch[o] as number;
  }
  return makeConst(c.dtype, shape, values, batch);
}

/** Same values, new shape (row-major order kept). */
export function withShape(c: Const, shape: readonly number[]): Const {
  return { ...c, shape: [...shape] };
}
