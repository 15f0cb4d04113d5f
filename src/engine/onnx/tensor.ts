// Constant tensors of an ONNX graph (initializers, Constant nodes, folded shape arithmetic), decoded
// from TensorProto. Floats stay float32 (the weights' own precision); integers and booleans are kept
// as doubles (exact up to 2^53, enough for shapes; INT64_MAX sentinels stay "huge").
//
// Shape arithmetic may depend on the batch size N, which the graph leaves symbolic: an element is then
// the affine value data[i] + batch[i]·N (Shape(x)[0] is 0 + 1·N). Everything else about the batch is
// refused, so shapes resolve exactly for every N.
import type { onnx } from 'onnx-proto';
import { OnnxFormatError } from './errors.js';

/** ONNX TensorProto.DataType numbers the importer reads. */
export const DT = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16,
} as const;

const DT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(DT).map(([k, v]) => [v, k]));

export function dtypeName(dtype: number): string {
  return DT_NAMES[dtype] ?? `data type ${dtype}`;
}

export type ElemType = 'float' | 'int' | 'bool';

export function elemType(dtype: number): ElemType | null {
  switch (dtype) {
    case DT.FLOAT: case DT.FLOAT16: case DT.BFLOAT16: case DT.DOUBLE: return 'float';
    case DT.UINT8: case DT.INT8: case DT.UINT16: case DT.INT16: case DT.INT32: case DT.INT64: case DT.UINT32: case DT.UINT64: return 'int';
    case DT.BOOL: return 'bool';
    default: return null;
  }
}

export interface Const {
  readonly dtype: number;
  readonly shape: readonly number[];
  /** Row-major values: Float32Array for FLOAT/FLOAT16/BFLOAT16, Float64Array otherwise. */
  readonly data: Float32Array | Float64Array;
  /** Coefficient of the symbolic batch size N per element (value = data[i] + batch[i]·N); null when none depends on N. */
  readonly batch: Float64Array | null;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function isFloat32Type(dtype: number): boolean {
  return dtype === DT.FLOAT || dtype === DT.FLOAT16 || dtype === DT.BFLOAT16;
}

/** A constant of `dtype` holding `values` (rounded to the type: float32, or truncated integers). */
export function makeConst(dtype: number, shape: readonly number[], values: ArrayLike<number>, batch: ArrayLike<number> | null = null): Const {
  const n = values.length;
  const data = isFloat32Type(dtype) ? new Float32Array(n) : new Float64Array(n);
  const kind = elemType(dtype);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    data[i] = kind === 'int' ? Math.trunc(v) : kind === 'bool' ? (v !== 0 ? 1 : 0) : v;
  }
  const b = batch !== null && Array.prototype.some.call(batch, (k: number) => k !== 0) ? Float64Array.from(batch) : null;
  return { dtype, shape: [...shape], data, batch: b };
}

export function scalarInt(v: number): Const {
  return makeConst(DT.INT64, [], [v]);
}

/** The values of a constant that must not depend on the batch size (shape arguments, axes, pads…). */
export function concreteValues(c: Const): number[] {
  return Array.from(c.data);
}

function toNumber(v: number | { toNumber(): number }): number {
  return typeof v === 'number' ? v : v.toNumber();
}

/** Half-precision bits → number. */
function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function bfloat16(bits: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, (bits & 0xffff) << 16);
  return v.getFloat32(0);
}

const RAW_BYTES: Record<number, number> = {
  [DT.FLOAT]: 4, [DT.UINT8]: 1, [DT.INT8]: 1, [DT.UINT16]: 2, [DT.INT16]: 2, [DT.INT32]: 4, [DT.INT64]: 8,
  [DT.BOOL]: 1, [DT.FLOAT16]: 2, [DT.DOUBLE]: 8, [DT.UINT32]: 4, [DT.UINT64]: 8, [DT.BFLOAT16]: 2,
};

function readRaw(raw: Uint8Array, dtype: number, n: number, out: Float32Array | Float64Array): void {
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case DT.FLOAT: out[i] = v.getFloat32(4 * i, true); break;
      case DT.DOUBLE: out[i] = v.getFloat64(8 * i, true); break;
      case DT.FLOAT16: out[i] = half(v.getUint16(2 * i, true)); break;
      case DT.BFLOAT16: out[i] = bfloat16(v.getUint16(2 * i, true)); break;
      case DT.UINT8: case DT.BOOL: out[i] = v.getUint8(i); break;
      case DT.INT8: out[i] = v.getInt8(i); break;
      case DT.UINT16: out[i] = v.getUint16(2 * i, true); break;
      case DT.INT16: out[i] = v.getInt16(2 * i, true); break;
      case DT.INT32: out[i] = v.getInt32(4 * i, true); break;
      case DT.UINT32: out[i] = v.getUint32(4 * i, true); break;
      case DT.INT64: out[i] = Number(v.getBigInt64(8 * i, true)); break;
      case DT.UINT64: out[i] = Number(v.getBigUint64(8 * i, true)); break;
      default: throw new OnnxFormatError(`${dtypeName(dtype)} tensors cannot be read`);
    }
  }
}

/**
 * Decodes a TensorProto (initializer or attribute value). Refuses external data, unsupported element
 * types, negative dims, more than `maxElements` values, and payloads whose length disagrees with dims.
 */
export function decodeTensor(t: onnx.ITensorProto, label: string, maxElements: number): Const {
  if (Number(t.dataLocation ?? 0) === 1 || (t.externalData?.length ?? 0) > 0) {
    throw new OnnxFormatError(`${label} keeps its data in an external file; export the model with its weights inside (one .onnx file)`);
  }
  const dtype = t.dataType ?? 0;
  if (elemType(dtype) === null) throw new OnnxFormatError(`${label} has element type ${dtypeName(dtype)}, which Spikelab does not read`);
  if (t.segment) throw new OnnxFormatError(`${label} is a segment of a larger tensor, which Spikelab does not read`);
  const shape = (t.dims ?? []).map(toNumber);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new OnnxFormatError(`${label} has invalid dims`);
  const n = numel(shape);
  if (n > maxElements) throw new OnnxFormatError(`${label} has ${n} elements, above the limit of ${maxElements}`);
  const out = isFloat32Type(dtype) ? new Float32Array(n) : new Float64Array(n);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const need = n * (RAW_BYTES[dtype] as number);
    if (raw.length !== need) throw new OnnxFormatError(`${label}: ${raw.length} data bytes for ${n} ${dtypeName(dtype)} values (need ${need})`);
    readRaw(raw, dtype, n, out);
    return { dtype, shape, data: out, batch: null };
  }
  const source: ArrayLike<number | { toNumber(): number }> =
    dtype === DT.FLOAT ? t.floatData ?? []
      : dtype === DT.DOUBLE ? t.doubleData ?? []
        : dtype === DT.INT64 ? t.int64Data ?? []
          : dtype === DT.UINT32 || dtype === DT.UINT64 ? t.uint64Data ?? []
            : t.int32Data ?? [];
  if (source.length !== n) throw new OnnxFormatError(`${label}: ${source.length} values for dims [${shape.join(', ')}] (need ${n})`);
  for (let i = 0; i < n; i++) {
    const v = toNumber(source[i] as number);
    out[i] = dtype === DT.FLOAT16 ? half(v) : dtype === DT.BFLOAT16 ? bfloat16(v) : v;
  }
  return { dtype, shape, data: out, batch: null };
}
