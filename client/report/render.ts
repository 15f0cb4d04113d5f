// Vega-Lite → Vega → SVG → PNG (sharp), entirely offline; files written to a temp name and renamed.
import { rename, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to an SVG string (no canvas, no network: data must be inline). */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  // A loader that refuses every URL keeps rendering offline by construction.
  const loader = vega.loader();
  loader.load = () => Promise.reject(new Error('figures are rendered offline: data must be inline'));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG at `scale` × its nominal size. */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}

/** Writes bytes atomically: temp file in the same directory, then rename. */
export async function writeFileAtomic(path: string, data: Buffer | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Renders a spec straight to a PNG file; returns the PNG's pixel size. */
export async function renderSpecToPng(spec: TopLevelSpec, path: string, scale = 2): Promise<{ width: number; height: number }> {
  const png = await svgToPng(await specToSvg(spec), scale);
  await writeFileAtomic(path, png);
  const meta = await sharp(png).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0 };
}
