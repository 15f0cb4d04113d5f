// `spikelab report`: PNG figures of a comparison (step curves, ANN/SNN bars, segmentation panels).
import { type Command } from 'commander';
import { float, int } from '../parse.js';
import { addSelectionOptions, type CompareOptions } from './compare.js';

export interface ReportOptions extends CompareOptions {
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
    .action(async (opts: ReportOptions, c: Command) => {
      const { runReport } = await import('./report-action.js');
      await runReport(opts, c);
    });
}
