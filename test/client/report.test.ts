import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CompareMatrix, CompareRow } from '../../src/formats/compare.js';
import type { SweepPivot } from '../../src/formats/sweep.js';
import { annSnnBarsSpec, renderSegmentationPanels, renderSpecToPng, specToSvg, stepCurveSpec, sweepHeatmapSpec } from '../../client/report/index.js';

const steps = [1, 2, 4, 8, 16];
function row(backbone: string, ann: number, values: (number | null)[]): CompareRow {
  return {
    conversionRunId: backbone, backbone, architecture: backbone, family: 'plain', parameterCount: 1, pretraining: 'supervised',
    dataset: 'd', metric: 'accuracy', timeSteps: 16, annValue: ann, values, losses: values.map((v) => (v === null ? null : ann - v)),
    best: 0.9, bestStep: 16, firstStepWithin1: null, lossAtT: 0.01, sops: 1, annMacs: 1, energyRatio: 0.2,
  };
}
const matrix: CompareMatrix = { metric: 'accuracy', steps, rows: [row('vgg', 0.9, [0.1, 0.4, 0.7, 0.85, 0.89]), row('resnet', 0.92, [0.2, 0.5, 0.8, null, null])] };

describe('report figures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikelab-report-'));

  test('step curve draws one line per backbone and the ANN references', async () => {
    const svg = await specToSvg(stepCurveSpec(matrix));
    expect(svg).toContain('vgg');
    expect(svg).toContain('resnet');
    const size = await renderSpecToPng(stepCurveSpec(matrix, { width: 400, height: 200 }), join(dir, 'curve.png'), 1);
    const meta = await sharp(readFileSync(join(dir, 'curve.png'))).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(size.width);
    // plot area plus axes, title and legend
    expect(meta.width).toBeGreaterThan(400);
    expect(meta.height).toBeGreaterThan(200);
  });

  test('bar chart renders at twice its nominal size with scale 2', async () => {
    const one = await renderSpecToPng(annSnnBarsSpec(matrix), join(dir, 'bars1.png'), 1);
    const two = await renderSpecToPng(annSnnBarsSpec(matrix), join(dir, 'bars2.png'), 2);
    expect(Math.abs(two.width - 2 * one.width)).toBeLessThanOrEqual(2);
    expect(Math.abs(two.height - 2 * one.height)).toBeLessThanOrEqual(2);
  });

  test('segmentation panels: one row per sample, binarised predictions, no temp files left', async () => {
    const w = 8, h = 8;
    const image = Array.from({ length: w * h }, (_, i) => (i % w) / w);
    const label = image.map((v) => (v > 0.5 ? 1 : 0));
    const size = await renderSegmentationPanels([{ width: w, height: h, image, label, ann: image, snn: image }, { width: w, height: h, image, label, ann: label, snn: label }], join(dir, 'panels.png'), 40);
    const { data, info } = await sharp(join(dir, 'panels.png')).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(size.width);
    expect(info.height).toBe(28 + 2 * (40 + 8) + 8);
    // the ANN column of the first row is binarised: every pixel is black or white
    const x0 = 8 + 2 * (40 + 8), y0 = 28 + 8;
    for (let y = y0; y < y0 + 40; y += 7) for (let x = x0; x < x0 + 40; x += 7) {
      const v = data[(y * info.width + x) * info.channels]!;
      expect(v === 0 || v === 255).toBe(true);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('mismatched panel data is refused with the sizes', async () => {
    await expect(renderSegmentationPanels([{ width: 4, height: 4, image: [1], label: [], ann: [], snn: [] }], join(dir, 'bad.png'))).rejects.toThrow(/expected 4×4/);
  });

  test('a sweep heat map keeps 0–1 for rates and spans the values of any other metric', () => {
    const pivot = (metric: string, values: number[]): SweepPivot => ({
      sweepId: '1', axis: 'gamma', metric, step: null, columns: values.map((_, i) => String(i + 1)),
      rows: [{ label: 'vgg', backbone: 'vgg', checkpointId: '1', others: [], annValue: null, values, runIds: values.map((_, i) => String(i)) }],
    });
    const scaleOf = (p: SweepPivot): unknown => JSON.stringify(sweepHeatmapSpec(p)).match(/"scale":\{"scheme":"viridis","domain":(\[[^\]]*\])/)?.[1];
    expect(scaleOf(pivot('accuracy', [0.2, 0.9]))).toBe('[0,1]');
    expect(scaleOf(pivot('sops', [1200, 5400]))).toBe('[1200,5400]');
    expect(scaleOf(pivot('sops', [7, 7]))).toBe('[7,8]');
  });
});
