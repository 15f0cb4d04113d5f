// PNG slice folders (Lucchi as the original study stored it): one grey PNG per slice.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { DatasetFormatError } from './errors.js';

/** Sorted *.png names of a folder (0000.png, 0001.png, …). */
export async function listPngs(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new DatasetFormatError(dir, 'folder not found');
  }
  const pngs = names.filter((n) => n.toLowerCase().endsWith('.png')).sort();
  if (pngs.length === 0) throw new DatasetFormatError(dir, 'folder holds no .png slices');
  return pngs.map((n) => join(dir, n));
}

/** Decodes one PNG to 8-bit grey (colour images reduced to luminance). */
export async function readGreyPng(file: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  try {
    const { data, info } = await sharp(file).removeAlpha().greyscale().raw().toBuffer({ resolveWithObject: true });
    const px = info.width * info.height;
    let grey = new Uint8Array(data.buffer, data.byteOffset, data.length);
    if (info.channels !== 1) {
      grey = new Uint8Array(px);
      for (let p = 0; p < px; p++) grey[p] = data[p * info.channels]!;
    }
    return { width: info.width, height: info.height, data: grey };
  } catch (e) {
    throw new DatasetFormatError(file, `cannot decode PNG: ${(e as Error).message}`);
  }
}

/** Encodes an 8-bit grey PNG (tests, exports). */
export async function encodeGreyPng(width: number, height: number, data: Uint8Array): Promise<Buffer> {
  return sharp(Buffer.from(data), { raw: { width, height, channels: 1 } }).png().toBuffer();
}
