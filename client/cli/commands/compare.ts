// `spikelab compare`: the backbone × time-step matrix as an aligned table, JSON or CSV.
import { type Command, Option } from 'commander';
import { int, intList, collect } from '../parse.js';

export interface CompareOptions {
  dataset?: string;
  metric?: string;
  run?: string[];
  steps?: number[];
  timeSteps?: number;
  alias?: string;
  json?: boolean;
  csv?: boolean;
}

export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option('--dataset <name>', 'only conversion runs on this data set (name or id)')
    .option('--metric <name>', 'metric to compare, e.g. accuracy, softDice (default: the runs\' primary metric)')
    .option('--run <id>', 'a conversion run id (repeatable; default: all finished runs)', collect)
    .option('--steps <list>', 'time steps to show, e.g. 1,2,4,8,16,32,64 (default: powers of two up to T)', intList)
    .option('-T, --time-steps <T>', 'only runs simulated for T steps', int(1, 4096))
    .option('--alias <alias>', 'only runs on checkpoints with this alias');
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('compare conversion runs: SNN metric per backbone and time step, ANN reference, loss, SOPs, energy');
  addSelectionOptions(cmd)
    .addOption(new Option('--json', 'print the matrix as JSON').conflicts('csv'))
    .option('--csv', 'print the matrix as CSV')
    .action(async (opts: CompareOptions, c: Command) => {
      const { runCompare } = await import('./compare-action.js');
      await runCompare(opts, c);
    });
}
