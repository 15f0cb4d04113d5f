// safetensors: u64 LE header length N, N bytes of JSON header, then raw little-endian tensor data.
import { CheckpointFormatError } from './errors.js';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const SIZES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface SafeTensor {
  name: string;
  /** dtype as stored in the file; values are always returned as float32. */
  dtype: SafetensorsDtype;
  shape: number[];
  values: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decode(dtype: SafetensorsDtype, bytes: Uint8Array, n: number): Float32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'F64': out[i] = v.getFloat64(8 * i, true); break;
      case 'F32': out[i] = v.getFloat32(4 * i, true); break;
      case 'F16': out[i] = halfToFloat(v.getUint16(2 * i, true)); break;
      case 'BF16': out[i] = new Float32Array(new Uint32Array([v.getUint16(2 * i, true) << 16]).buffer)[0]!; break;
      case 'I64': out[i] = Number(v.getBigInt64(8 * i, true)); break;
      case 'I32': out[i] = v.getInt32(4 * i, true); break;
      case 'I16': out[i] = v.getInt16(2 * i, true); break;
      case 'I8': out[i] = v.getInt8(i); break;
      case 'U8':
      case 'BOOL': out[i] = v.getUint8(i); break;
    }
  }
  return out;
}

/** A tensor name as errors show it: at most 80 characters. */
function shown(name: string): string {
  return name.length > 80 ? `${name.slice(0, 77)}...` : name;
}

/**
 * Parses a safetensors buffer. Validates: header length within the buffer, JSON object header,
 * known dtypes, integer non-negative shapes, data_offsets inside the data section with
 * end − start = numel·itemsize, and tensors tiling the data section without overlap or holes.
 */
export function parseSafetensors(buf: Uint8Array): SafetensorsFile {
  if (buf.length < 8) throw new CheckpointFormatError(`safetensors file of ${buf.length} bytes has no header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = view.getBigUint64(0, true);
  // The length itself is not quoted: in a file that is not safetensors those 8 bytes are its content.
  if (n > BigInt(buf.length - 8)) throw new CheckpointFormatError(`the safetensors header length (the first 8 bytes) exceeds the ${buf.length - 8} bytes after it: not a safetensors file`);
  const headerLen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + headerLen)));
  } catch {
    throw new CheckpointFormatError('the safetensors header is not valid UTF-8 JSON: not a safetensors file');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CheckpointFormatError('safetensors header is not a JSON object');
  const data = buf.subarray(8 + headerLen);
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = e.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in SIZES)) throw new CheckpointFormatError(`tensor '${shown(name)}': unsupported dtype (one of ${Object.keys(SIZES).join(', ')} expected)`);
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) throw new CheckpointFormatError(`tensor '${shown(name)}': shape is not a list of non-negative integers`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || off.some((o) => !Number.isInteger(o) || (o as number) < 0)) throw new CheckpointFormatError(`tensor '${shown(name)}': data_offsets is not a pair of non-negative integers`);
    const [start, end] = off as [number, number];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < start || end > data.length) throw new CheckpointFormatError(`tensor '${shown(name)}': data_offsets [${start}, ${end}] outside the ${data.length}-byte data section`);
    if (end - start !== numel * SIZES[dtype]) throw new CheckpointFormatError(`tensor '${shown(name)}': ${end - start} bytes for ${numel} ${dtype} values (need ${numel * SIZES[dtype]})`);
    spans.push([start, end, name]);
    tensors.set(name, { name, dtype, shape: shape as number[], values: decode(dtype, data.subarray(start, end), numel) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  let pos = 0;
  for (const [start, end, name] of spans) {
    if (start !== pos) throw new CheckpointFormatError(`tensor '${shown(name)}' starts at ${start}: ${start < pos ? 'overlaps the previous tensor' : `hole after byte ${pos}`}`);
    pos = end;
  }
  if (pos !== data.length) throw new CheckpointFormatError(`${data.length - pos} unused bytes after the last tensor`);
  return { tensors, metadata };
}

/** Writes float32 tensors (in the given order) as safetensors; the header is space-padded to 8 bytes. */
export function writeSafetensors(tensors: { name: string; shape: number[]; values: Float32Array }[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header['__metadata__'] = metadata;
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + 4 * t.values.length] };
    off += 4 * t.values.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + off);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++) view.setFloat32(p + 4 * i, t.values[i]!, true);
    p += 4 * t.values.length;
  }
  return out;
}
