import type { SegmentationPanel } from '../../formats/compare.js';

/** Largest side of a stored panel: bigger images are subsampled so a run's record stays small. */
export const PANEL_MAX_SIDE = 128;

/**
 * Builds the figures' raw material for the first `n` test images of a segmentation run: the
 * image's first channel min–max scaled to [0, 1] per image (display only), the label mask, the
 * ANN probability map and the SNN's running-mean probability after the last step. Images larger
 * than PANEL_MAX_SIDE are subsampled with a constant integer stride (nearest neighbour), and
 * values are rounded to 3 decimals.
 */
export function buildPanels(
  images: Float32Array,
  labels: Float32Array,
  ann: Float32Array,
  snn: Float32Array,
  shape: readonly number[],
  n: number,
): SegmentationPanel[] {
  const [h = 1, w = 1, c = 1] = shape;
  const stride = Math.max(1, Math.ceil(Math.max(h, w) / PANEL_MAX_SIDE));
  const oh = Math.ceil(h / stride);
  const ow = Math.ceil(w / stride);
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  const panels: SegmentationPanel[] = [];
  for (let i = 0; i < n; i++) {
    const pick = (src: Float32Array, channels: number, channel: number): number[] => {
      const out: number[] = [];
      for (let y = 0; y < h; y += stride) for (let x = 0; x < w; x += stride) out.push(src[((i * h + y) * w + x) * channels + channel] ?? 0);
      return out;
    };
    const raw = pick(images, c, 0);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of raw) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const span = hi > lo ? hi - lo : 1;
    panels.push({
      width: ow,
      height: oh,
      image: raw.map((v) => round((v - lo) / span)),
      label: pick(labels, 1, 0).map(round),
      ann: pick(ann, 1, 0).map(round),
      snn: pick(snn, 1, 0).map(round),
    });
  }
  return panels;
}
