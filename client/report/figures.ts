// The figure files of a comparison: per data set a step curve and ANN/SNN bars, and per
// segmentation run its panels. Used by `spikelab report` and the demo.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareMatrix, SegmentationPanel } from '../../src/formats/compare.js';
import { renderSegmentationPanels } from './panels.js';
import { renderSpecToPng } from './render.js';
import { annSnnBarsSpec, stepCurveSpec } from './specs.js';

export interface WrittenFigure {
  path: string;
  width: number;
  height: number;
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'data';

/** Splits a matrix by data set (a figure compares backbones on one data set). */
export function byDataset(m: CompareMatrix): CompareMatrix[] {
  const names = [...new Set(m.rows.map((r) => r.dataset))];
  return names.map((d) => ({ metric: m.metric, steps: m.steps, rows: m.rows.filter((r) => r.dataset === d) }));
}

/** Writes the step-curve and bar figures of `m` into `dir`; returns what was written. */
export async function writeFigures(m: CompareMatrix, dir: string, scale = 2): Promise<WrittenFigure[]> {
  await mkdir(dir, { recursive: true });
  const out: WrittenFigure[] = [];
  for (const part of byDataset(m)) {
    const ds = part.rows[0]?.dataset ?? 'data';
    const curve = join(dir, `${slug(ds)}-${slug(part.metric)}-vs-step.png`);
    out.push({ path: curve, ...(await renderSpecToPng(stepCurveSpec(part, { title: `${ds}: SNN ${part.metric} vs time step (dashed: ANN)` }), curve, scale)) });
    const bars = join(dir, `${slug(ds)}-${slug(part.metric)}-ann-vs-snn.png`);
    out.push({ path: bars, ...(await renderSpecToPng(annSnnBarsSpec(part, { title: `${ds}: ANN vs SNN ${part.metric}` }), bars, scale)) });
  }
  return out;
}

/**
 * Segmentation runs of the matrix: raw image | label | ANN | SNN (binarised at 0.5), `samples`
 * rows each; `panelsOf` fetches a run's panels (e.g. the client's `panels`).
 */
export async function writePanels(panelsOf: (runId: string) => Promise<SegmentationPanel[]>, m: CompareMatrix, dir: string, samples: number): Promise<WrittenFigure[]> {
  const out: WrittenFigure[] = [];
  for (const r of m.rows) {
    const panels = (await panelsOf(r.conversionRunId)).slice(0, samples);
    if (panels.length === 0) continue;
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${slug(r.dataset)}-${slug(r.backbone)}-run${r.conversionRunId}-panels.png`);
    out.push({ path, ...(await renderSegmentationPanels(panels, path)) });
  }
  return out;
}
