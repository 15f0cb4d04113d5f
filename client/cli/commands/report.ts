// `spikelab report`: PNG figures of a comparison (step curves, ANN/SNN bars, segmentation panels).
// The renderer (Vega, sharp) is loaded only when the command runs.
import { type Command } from 'commander';
import { withClient } from '../context.js';
import { float, int } from '../parse.js';
import { addSelectionOptions, fetchMatrix, type SelectionOptions } from './compare.js';

interface ReportOptions extends SelectionOptions {
  out: string;
  scale: number;
  panels?: boolean;
  samples: number;
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('write PNG figures: SNN metric vs time step per backbone (dashed: ANN), ANN vs SNN bars, segmentation panels');
  addSelectionOptions(cmd)
    .option('--out <dir>', 'output directory', 'spikelab-report')
    .option('--scale <factor>', 'pixel density multiplier', float(0.5, 8), 2)
    .option('--panels', 'segmentation panels for segmentation runs (default on)')
    .option('--no-panels', 'skip the segmentation panels')
    .option('--samples <n>', 'segmentation panels: test images per run', int(1, 16), 3)
    .action(async (o: ReportOptions, c: Command) => {
      const { writeFigures, writePanels } = await import('../../report/figures.js');
      const written = await withClient(c, async (client) => {
        const m = await fetchMatrix(client, o);
        if (m.rows.length === 0) throw new Error('no finished conversion runs match: nothing to draw');
        const figures = await writeFigures(m, o.out, o.scale);
        return o.panels !== false ? [...figures, ...(await writePanels((id) => client.panels(id), m, o.out, o.samples))] : figures;
      });
      for (const f of written) console.log(`wrote ${f.path} (${f.width}×${f.height})`);
    });
}
