// PNG slice folders (Lucchi as the original study stored it): one PNG per slice. Images must be
// 8-bit (or fewer bits); colour images are reduced to their luminance (sharp's greyscale, Rec. 601
// weights). Label masks must be single-channel grey of at most 8 bits: 16-bit, RGB, palette and
// alpha masks are refused, never converted (a silent conversion could turn mask values 1 into 0).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readDatasetFile } from './bytes.js';
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

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOUR_TYPES: Record<number, string> = { 0: 'grey', 2: 'RGB', 3: 'palette', 4: 'grey + alpha', 6: 'RGBA' };

/** Bit depth and colour type from the IHDR chunk (bytes 24 and 25 of every PNG). */
export function pngHeader(file: string, bytes: Uint8Array): { bitDepth: number; colourType: number } {
  if (bytes.length < 26 || PNG_MAGIC.some((b, i) => bytes[i] !== b) || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new DatasetFormatError(file, 'cannot decode PNG (no PNG signature and IHDR chunk)');
  }
  return { bitDepth: bytes[24]!, colourType: bytes[25]! };
}

/** Decodes one PNG slice to 8-bit grey; `role` 'label' refuses anything but ≤ 8-bit single-channel grey. */
export async function readGreyPng(file: string, role: 'image' | 'label' = 'image'): Promise<{ width: number; height: number; data: Uint8Array }> {
  const bytes = await readDatasetFile(file);
  const { bitDepth, colourType } = pngHeader(file, bytes);
  const kind = COLOUR_TYPES[colourType] ?? `colour type ${colourType}`;
  if (bitDepth > 8) throw new DatasetFormatError(file, `${bitDepth}-bit ${kind} PNG; ${role} slices must be 8-bit`);
  if (role === 'label' && colourType !== 0) throw new DatasetFormatError(file, `${kind} PNG; label masks must be single-channel grey (values 0/1 or 0/255)`);
  try {
    const { data, info } = await sharp(bytes).removeAlpha().greyscale().raw().toBuffer({ resolveWithObject: true });
    const px = info.width * info.height;
    let grey = new Uint8Array(data.buffer, data.byteOffset, data.length);
    if (info.channels !== 1) {
      grey = new Uint8Array(px);
      for (let p = 0; p < px; p++) grey[p] = data[p * info.channels]!;
    }
    return { width: info.width, height: info.height, data: grey };
  } catch {
    throw new DatasetFormatError(file, 'cannot decode PNG (corrupt image data)');
  }
}

/** Encodes an 8-bit single-channel grey PNG (tests, exports). */
export async function encodeGreyPng(width: number, height: number, data: Uint8Array): Promise<Buffer> {
  return sharp(Buffer.from(data), { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer();
}
