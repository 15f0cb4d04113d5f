import { buildPanels, PANEL_MAX_SIDE } from '../../../src/engine/conversion/panels.js';

describe('segmentation panels', () => {
  test('large images are subsampled to at most PANEL_MAX_SIDE and the image is min–max scaled', () => {
    const h = 300, w = 200, c = 2, n = 2;
    const images = new Float32Array(n * h * w * c).map((_, i) => (i % 7) - 3);
    const labels = new Float32Array(n * h * w).map((_, i) => i % 2);
    const ann = new Float32Array(n * h * w).fill(0.25);
    const snn = new Float32Array(n * h * w).fill(0.75);
    const panels = buildPanels(images, labels, ann, snn, [h, w, c], n);
    expect(panels).toHaveLength(2);
    const p = panels[1]!;
    expect(Math.max(p.width, p.height)).toBeLessThanOrEqual(PANEL_MAX_SIDE);
    expect(p.image).toHaveLength(p.width * p.height);
    expect(Math.min(...p.image)).toBeCloseTo(0, 6);
    expect(Math.max(...p.image)).toBeCloseTo(1, 6);
    expect(new Set(p.ann)).toEqual(new Set([0.25]));
    expect(new Set(p.snn)).toEqual(new Set([0.75]));
  });
});
