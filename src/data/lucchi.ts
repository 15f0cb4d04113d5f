// Lucchi EM mitochondria: TIFF stacks or PNG slice folders → cropped, normalised samples.
import { join } from 'node:path';
import { copyCrop, cropOrigins, type CropMode } from './crop.js';
import { DatasetFormatError, DatasetSpecError } from './errors.js';
import { listPngs, readGreyPng } from './png.js';
import { Rng } from './rng.js';
import { readGreyTiffStack } from './tiff.js';

/** Raw slices of one split: images and binary masks as bytes (labels already 0/1). */
export interface SliceStack {
  width: number;
  height: number;
  /** Slices decoded (≤ total). */
  count: number;
  /** Slices in the source. */
  total: number;
  images: Uint8Array;
  labels: Uint8Array;
}

/** Maps label bytes to {0,1}; refuses anything other than {0,255} or {0,1} (a wrong mask is never silent). */
function binariseLabels(file: string, slice: number, src: Uint8Array, dst: Uint8Array, off: number): void {
  let seen255 = false;
  let seen1 = false;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v === 255) seen255 = true;
    else if (v === 1) seen1 = true;
    else if (v !== 0) throw new DatasetFormatError(file, `slice ${slice}: label value ${v} (masks must be 0/255 or 0/1)`);
    dst[off + i] = v === 0 ? 0 : 1;
  }
  if (seen255 && seen1) throw new DatasetFormatError(file, `slice ${slice}: label mixes values 1 and 255`);
}

export async function readLucchiTiff(dir: string, split: 'train' | 'test', maxSlices = Infinity): Promise<SliceStack> {
  const base = split === 'train' ? 'training' : 'testing';
  const imgFile = join(dir, `${base}.tif`);
  const lblFile = join(dir, `${base}_groundtruth.tif`);
  const img = await readGreyTiffStack(imgFile, maxSlices);
  const lbl = await readGreyTiffStack(lblFile, maxSlices);
  if (img.pages !== lbl.pages) throw new DatasetFormatError(imgFile, `${img.pages} slices but ${lblFile} has ${lbl.pages}`);
  if (img.width !== lbl.width || img.height !== lbl.height) {
    throw new DatasetFormatError(lblFile, `slices are ${lbl.width}×${lbl.height}, images in ${imgFile} are ${img.width}×${img.height}`);
  }
  const px = img.width * img.height;
  const labels = new Uint8Array(lbl.data.length);
  for (let s = 0; s < lbl.count; s++) binariseLabels(lblFile, s, lbl.data.subarray(s * px, (s + 1) * px), labels, s * px);
  return { width: img.width, height: img.height, count: img.count, total: img.pages, images: img.data, labels };
}

export async function readLucchiPng(dir: string, split: 'train' | 'test', maxSlices = Infinity): Promise<SliceStack> {
  const imgDir = join(dir, split, 'images');
  const lblDir = join(dir, split, 'labels');
  const imgs = await listPngs(imgDir);
  const lbls = await listPngs(lblDir);
  if (imgs.length !== lbls.length) throw new DatasetFormatError(imgDir, `${imgs.length} image slices but ${lblDir} has ${lbls.length}`);
  const count = Math.min(imgs.length, maxSlices);
  let width = 0;
  let height = 0;
  let images = new Uint8Array(0);
  let labels = new Uint8Array(0);
  for (let s = 0; s < count; s++) {
    const im = await readGreyPng(imgs[s]!);
    const lb = await readGreyPng(lbls[s]!, 'label');
    if (s === 0) {
      ({ width, height } = im);
      images = new Uint8Array(count * width * height);
      labels = new Uint8Array(count * width * height);
    }
    if (im.width !== width || im.height !== height) {
      throw new DatasetFormatError(imgs[s]!, `slice is ${im.width}×${im.height}, the first slice is ${width}×${height}`);
    }
    if (lb.width !== width || lb.height !== height) {
      throw new DatasetFormatError(lbls[s]!, `label is ${lb.width}×${lb.height}, its image is ${width}×${height}`);
    }
    images.set(im.data, s * width * height);
    binariseLabels(lbls[s]!, s, lb.data, labels, s * width * height);
  }
  return { width, height, count, total: imgs.length, images, labels };
}

export interface CropOptions {
  /** Crop side in pixels; 0 = whole slices. */
  size: number;
  mode: CropMode;
  /** Random crops per slice (mode 'random'). */
  perSlice: number;
  seed: number;
  /** Stop after this many crops. */
  limit: number;
}

/** Number of crops one slice yields (to read only as many slices as a limit needs). */
export function cropsPerSlice(h: number, w: number, o: Pick<CropOptions, 'size' | 'mode' | 'perSlice'>): number {
  if (o.size <= 0) return 1;
  return o.mode === 'tile' ? Math.floor(h / o.size) * Math.floor(w / o.size) : o.perSlice;
}

/**
 * Cuts slices into crops; images mapped to [−1, 1] (x/127.5 − 1, the original study's scaling),
 * masks to {0, 1}. Returns NHWC images (C = 1) and N×H×W masks.
 */
export function cropSlices(stack: SliceStack, o: CropOptions, source: string): { images: Float32Array; labels: Float32Array; count: number; side: [number, number] } {
  const { width: w, height: h } = stack;
  if (o.size > 0 && (o.size > h || o.size > w)) {
    throw new DatasetSpecError(`${source}: crop ${o.size} exceeds the ${w}×${h} slices`);
  }
  const [ch, cw] = o.size > 0 ? [o.size, o.size] : [h, w];
  const rng = new Rng(o.seed);
  const origins: [number, number, number][] = [];
  for (let s = 0; s < stack.count && origins.length < o.limit; s++) {
    for (const [y, x] of cropOrigins(h, w, o.size, o.mode, o.perSlice, rng)) {
      if (origins.length >= o.limit) break;
      origins.push([s, y, x]);
    }
  }
  const n = origins.length;
  const px = ch * cw;
  const imgBytes = new Uint8Array(n * px);
  const lblBytes = new Uint8Array(n * px);
  origins.forEach(([s, y, x], i) => {
    copyCrop(stack.images, s * w * h, w, y, x, ch, cw, imgBytes, i * px);
    copyCrop(stack.labels, s * w * h, w, y, x, ch, cw, lblBytes, i * px);
  });
  const images = new Float32Array(n * px);
  const labels = new Float32Array(n * px);
  for (let i = 0; i < n * px; i++) {
    images[i] = imgBytes[i]! / 127.5 - 1;
    labels[i] = lblBytes[i]!;
  }
  return { images, labels, count: n, side: [ch, cw] };
}
