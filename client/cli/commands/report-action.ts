// The work behind `spikelab report`: one set of figures per data set + metric in the selection.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CompareMatrix } from '../../../src/formats/compare.js';
import type { SpikelabClient } from '../../api/client.js';
import { annSnnBarsSpec, renderSegmentationPanels, renderSpecToPng, stepCurveSpec } from '../../report/index.js';
import { withClient } from '../context.js';
import { fetchMatrix } from './compare-action.js';
import type { ReportOptions } from './report.js';

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'data';

/** Splits a matrix by data set (a figure compares backbones on one data set). */
export function byDataset(m: CompareMatrix): CompareMatrix[] {
  const names = [...new Set(m.rows.map((r) => r.dataset))];
  return names.map((d) => ({ metric: m.metric, steps: m.steps, rows: m.rows.filter((r) => r.dataset === d) }));
}

export interface WrittenFigure {
  path: string;
  width: number;
  height: number;
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

/** Segmentation runs of the matrix: raw image | label | ANN | SNN (binarised at 0.5), `samples` rows each. */
export async function writePanels(client: SpikelabClient, m: CompareMatrix, dir: string, samples: number): Promise<WrittenFigure[]> {
  const out: WrittenFigure[] = [];
  for (const r of m.rows) {
    const panels = (await client.panels(r.conversionRunId)).slice(0, samples);
    if (panels.length === 0) continue;
    const path = join(dir, `${slug(r.dataset)}-${slug(r.backbone)}-run${r.conversionRunId}-panels.png`);
    out.push({ path, ...(await renderSegmentationPanels(panels, path)) });
  }
  return out;
}

export async function runReport(o: ReportOptions, cmd: Command): Promise<void> {
  const written = await withClient(cmd, async (c) => {
    const m = await fetchMatrix(c, o);
    if (m.rows.length === 0) throw new Error('no finished conversion runs match: nothing to draw');
    const figures = await writeFigures(m, o.out, o.scale);
    return o.panels !== false ? [...figures, ...(await writePanels(c, m, o.out, o.samples))] : figures;
  });
  for (const f of written) console.log(`wrote ${f.path} (${f.width}×${f.height})`);
}
