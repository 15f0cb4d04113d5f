// Grey 8-bit TIFF stacks (Lucchi's training.tif etc.): decode with utif, validate every page.
import UTIF from 'utif';
import { readDatasetFile } from './bytes.js';
import { DatasetFormatError } from './errors.js';

export interface GreyStack {
  width: number;
  height: number;
  /** Number of pages decoded (≤ pages in the file when limited). */
  count: number;
  /** Pages in the file. */
  pages: number;
  /** count × height × width bytes. */
  data: Uint8Array;
}

interface Ifd {
  width?: number;
  height?: number;
  data?: Uint8Array;
  t256?: number[];
  t257?: number[];
  t258?: number[];
  t277?: number[];
}

/** Decodes the first `limit` pages of a TIFF as 8-bit grey; all pages must share one size. */
export async function readGreyTiffStack(file: string, limit = Infinity): Promise<GreyStack> {
  const buf = await readDatasetFile(file);
  const magic = buf.subarray(0, 4).toString('latin1');
  if (magic !== 'II*\u0000' && magic !== 'MM\u0000*') throw new DatasetFormatError(file, 'not a TIFF file (bad magic)');
  let ifds: Ifd[];
  try {
    ifds = (UTIF.decode(buf) as Ifd[]).filter((d) => d.t256 !== undefined);
  } catch (e) {
    throw new DatasetFormatError(file, `corrupt TIFF directory (${(e as Error).name})`);
  }
  if (ifds.length === 0) throw new DatasetFormatError(file, 'TIFF holds no image');
  const width = ifds[0]!.t256![0]!;
  const height = ifds[0]!.t257?.[0] ?? 0;
  const count = Math.min(ifds.length, limit);
  const data = new Uint8Array(count * width * height);
  for (let i = 0; i < count; i++) {
    const ifd = ifds[i]!;
    const w = ifd.t256?.[0];
    const h = ifd.t257?.[0];
    if (w !== width || h !== height) {
      throw new DatasetFormatError(file, `page ${i} is ${w}×${h}, page 0 is ${width}×${height}`);
    }
    try {
      UTIF.decodeImage(buf, ifd);
    } catch (e) {
      throw new DatasetFormatError(file, `page ${i} cannot be decoded (${(e as Error).name})`);
    }
    const bits = ifd.t258?.[0] ?? 1;
    const spp = ifd.t277?.[0] ?? 1;
    const raw = ifd.data;
    if (bits === 8 && spp === 1 && raw && raw.length >= w * h) {
      data.set(raw.subarray(0, w * h), i * w * h);
    } else if (raw) {
      const rgba = UTIF.toRGBA8(ifd);
      if (rgba.length < w * h * 4) throw new DatasetFormatError(file, `page ${i}: pixel data shorter than ${w}×${h}`);
      for (let p = 0; p < w * h; p++) data[i * w * h + p] = rgba[4 * p]!;
    } else {
      throw new DatasetFormatError(file, `page ${i} has no pixel data`);
    }
  }
  return { width, height, count, pages: ifds.length, data };
}

/** Writes an uncompressed little-endian multi-page 8-bit grey TIFF (tests, exports). */
export function encodeGreyTiffStack(width: number, height: number, pages: Uint8Array[]): Uint8Array {
  const entries = 9;
  const ifdSize = 2 + entries * 12 + 4;
  const pageBytes = width * height;
  const total = 8 + pages.length * (ifdSize + pageBytes);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0], 0);
  let off = 8;
  v.setUint32(4, off, true);
  pages.forEach((page, i) => {
    const dataOff = off + ifdSize;
    const tags: [number, number, number][] = [
      [256, 4, width], [257, 4, height], [258, 3, 8], [259, 3, 1], [262, 3, 1],
      [273, 4, dataOff], [277, 3, 1], [278, 4, height], [279, 4, pageBytes],
    ];
    v.setUint16(off, entries, true);
    tags.forEach(([tag, type, value], k) => {
      const e = off + 2 + k * 12;
      v.setUint16(e, tag, true);
      v.setUint16(e + 2, type, true);
      v.setUint32(e + 4, 1, true);
      if (type === 3) v.setUint16(e + 8, value, true);
      else v.setUint32(e + 8, value, true);
    });
    const next = i === pages.length - 1 ? 0 : dataOff + pageBytes;
    v.setUint32(off + 2 + entries * 12, next, true);
    out.set(page.subarray(0, pageBytes), dataOff);
    off = dataOff + pageBytes;
  });
  return out;
}
