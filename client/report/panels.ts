// Segmentation panels: for each sample a row of raw image | label | ANN | SNN (binarised at 0.5).
import sharp, { type OverlayOptions } from 'sharp';
import type { SegmentationPanel } from '../../src/formats/compare.js';
import { writeFileAtomic } from './render.js';

const TITLES = ['image', 'label', 'ANN', 'SNN'] as const;

function grey(values: number[], w: number, h: number, binarise: boolean): Buffer {
  if (values.length !== w * h) throw new Error(`panel data has ${values.length} values, expected ${w}×${h}`);
  const out = Buffer.alloc(w * h);
  values.forEach((v, i) => {
    const x = binarise ? (v >= 0.5 ? 1 : 0) : Math.min(1, Math.max(0, v));
    out[i] = Math.round(x * 255);
  });
  return out;
}

/** Composes the panels into one PNG with column titles; returns its pixel size. */
export async function renderSegmentationPanels(panels: SegmentationPanel[], path: string, cell = 160): Promise<{ width: number; height: number }> {
  if (panels.length === 0) throw new Error('no segmentation panels to draw');
  const gap = 8;
  const header = 28;
  const width = TITLES.length * cell + (TITLES.length + 1) * gap;
  const height = header + panels.length * (cell + gap) + gap;
  const layers: OverlayOptions[] = [];
  for (const [row, p] of panels.entries()) {
    const imgs = [grey(p.image, p.width, p.height, false), grey(p.label, p.width, p.height, true), grey(p.ann, p.width, p.height, true), grey(p.snn, p.width, p.height, true)];
    for (const [col, raw] of imgs.entries()) {
      const tile = await sharp(raw, { raw: { width: p.width, height: p.height, channels: 1 } })
        .resize(cell, cell, { kernel: 'nearest', fit: 'fill' })
        .png()
        .toBuffer();
      layers.push({ input: tile, left: gap + col * (cell + gap), top: header + gap + row * (cell + gap) });
    }
  }
  const titles = TITLES.map((t, i) => `<text x="${gap + i * (cell + gap) + cell / 2}" y="20" font-family="DejaVu Sans" font-size="15" text-anchor="middle">${t}</text>`).join('');
  layers.push({ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${header}">${titles}</svg>`), left: 0, top: 0 });
  const png = await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(layers).png().toBuffer();
  await writeFileAtomic(path, png);
  return { width, height };
}
