// IDX files (MNIST, Fashion-MNIST): magic 00 00 <dtype> <ndim>, ndim big-endian u32 sizes, data.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { readBytes } from './bytes.js';
import { DatasetFormatError } from './errors.js';

export interface IdxArray {
  /** Sizes from the header (dims[0] = records in the file). */
  dims: number[];
  /** Records actually read (≤ dims[0] when limited). */
  count: number;
  /** count × prod(dims[1:]) unsigned bytes. */
  data: Uint8Array;
}

/**
 * Reads an unsigned-byte IDX file (gzipped or raw), at most `limit` records, streaming so that a
 * limit bounds the bytes read. Checks the magic, the dtype (0x08), the rank and that the payload
 * length equals the header's sizes (only a prefix is checked when a limit stops the read early).
 */
export async function readIdx(file: string, expectRank: number, limit = Infinity): Promise<IdxArray> {
  const head = (await readBytes(file, 4 + 4 * 8)).bytes;
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0) {
    throw new DatasetFormatError(file, 'bad IDX magic number (expected 00 00 at offset 0)');
  }
  if (head[2] !== 0x08) {
    throw new DatasetFormatError(file, `IDX dtype 0x${(head[2] ?? 0).toString(16)} unsupported (expected 0x08 unsigned byte)`);
  }
  const rank = head[3]!;
  if (rank !== expectRank) {
    throw new DatasetFormatError(file, `IDX rank ${rank}, expected ${expectRank}`);
  }
  const headerLen = 4 + 4 * rank;
  if (head.length < headerLen) throw new DatasetFormatError(file, 'truncated IDX header');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const record = dims.slice(1).reduce((a, b) => a * b, 1);
  const want = Math.min(dims[0]!, limit);
  // Unlimited reads take the whole file so that trailing garbage is noticed.
  const { bytes, complete } = await readBytes(file, want < dims[0]! ? headerLen + want * record : Infinity);
  const payload = bytes.length - headerLen;
  if (payload < want * record) {
    throw new DatasetFormatError(
      file,
      `truncated: header promises ${dims[0]} records of ${record} bytes, file holds ${Math.max(0, Math.floor(payload / record))}`,
    );
  }
  if (want === dims[0] && complete && payload !== want * record) {
    throw new DatasetFormatError(file, `${payload - want * record} trailing bytes after ${dims[0]} records`);
  }
  return { dims, count: want, data: bytes.subarray(headerLen, headerLen + want * record) };
}

/** Finds `<base>` or `<base>.gz` in `dir`. */
export async function findIdxFile(dir: string, base: string): Promise<string> {
  for (const name of [base, `${base}.gz`]) {
    const p = join(dir, name);
    try {
      await access(p);
      return p;
    } catch {
      // try the next spelling
    }
  }
  throw new DatasetFormatError(join(dir, base), 'file not found (looked for the raw and the .gz name)');
}

export interface IdxSplitRaw {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/** Reads one images/labels pair and checks they agree (count, label range < numClasses). */
export async function readIdxPair(dir: string, prefix: 'train' | 't10k', limit: number, numClasses = 10): Promise<IdxSplitRaw> {
  const imgFile = await findIdxFile(dir, `${prefix}-images-idx3-ubyte`);
  const lblFile = await findIdxFile(dir, `${prefix}-labels-idx1-ubyte`);
  const img = await readIdx(imgFile, 3, limit);
  const lbl = await readIdx(lblFile, 1, limit);
  if (img.dims[0] !== lbl.dims[0]) {
    throw new DatasetFormatError(imgFile, `${img.dims[0]} images but ${lblFile} has ${lbl.dims[0]} labels`);
  }
  for (let i = 0; i < lbl.count; i++) {
    if (lbl.data[i]! >= numClasses) {
      throw new DatasetFormatError(lblFile, `label ${lbl.data[i]} at record ${i} is not a class index < ${numClasses}`);
    }
  }
  return { images: img.data, labels: lbl.data, count: img.count, height: img.dims[1]!, width: img.dims[2]! };
}

/** Encodes an unsigned-byte IDX file (tests, exports). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];
