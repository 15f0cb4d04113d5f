// `spikelab compare`: the backbone × time-step matrix as an aligned table, JSON or CSV. Its run
// selection options are shared with `spikelab report`.
import { type Command, Option } from 'commander';
import type { SpikelabClient } from '../../api/client.js';
import type { CompareMatrix } from '../../../src/formats/compare.js';
import { CONVERSION_CONFIG_FIELDS } from '../../../src/formats/conversion.js';
import { matrixRows } from '../../report/matrix.js';
import { withClient } from '../context.js';
import { fieldOption } from '../fields.js';
import { formatCsv, formatTable, printJson } from '../output.js';
import { collect, intList } from '../parse.js';

export interface SelectionOptions {
  dataset?: string;
  metric?: string;
  run?: string[];
  steps?: number[];
  timeSteps?: number;
  alias?: string;
}

interface CompareOptions extends SelectionOptions {
  json?: boolean;
  csv?: boolean;
}

export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option('--dataset <name>', 'only conversion runs on this data set (name or id)')
    .option('--metric <name>', 'metric to compare, e.g. accuracy, softDice (default: the runs\' primary metric)')
    .option('--run <id>', 'a conversion run id (repeatable; default: all finished runs)', collect)
    .option('--steps <list>', 'time steps to show, e.g. 1,2,4,8,16,32,64 (default: powers of two up to T)', intList)
    .addOption(fieldOption('timeSteps', { ...CONVERSION_CONFIG_FIELDS.timeSteps, default: undefined, description: 'only runs simulated for T steps' }, '-T, --time-steps <T>'))
    .option('--alias <alias>', 'only runs on checkpoints with this alias');
}

/** Fetches the matrix the options select (names resolved to ids). */
export async function fetchMatrix(client: SpikelabClient, o: SelectionOptions): Promise<CompareMatrix> {
  const datasetId = o.dataset === undefined ? undefined : (await client.findDataset(o.dataset)).id;
  const filter = {
    ...(datasetId !== undefined && { datasetId }),
    ...(o.timeSteps !== undefined && { timeSteps: o.timeSteps }),
    ...(o.alias !== undefined && { alias: o.alias }),
    status: 'SUCCEEDED',
  };
  return client.compare({ filter, ...(o.metric !== undefined && { metric: o.metric }), ...(o.run !== undefined && { runIds: o.run }), ...(o.steps !== undefined && { steps: o.steps }) });
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('compare conversion runs: SNN metric per backbone and time step, ANN reference, loss, SOPs, energy');
  addSelectionOptions(cmd)
    .addOption(new Option('--json', 'print the matrix as JSON').conflicts('csv'))
    .option('--csv', 'print the matrix as CSV')
    .action(async (o: CompareOptions, c: Command) => {
      const m = await withClient(c, (client) => fetchMatrix(client, o));
      if (o.json) return printJson(m);
      const { headers, rows } = matrixRows(m);
      if (o.csv) {
        console.log(formatCsv(headers, rows));
        return;
      }
      if (m.rows.length === 0) {
        console.log('no finished conversion runs match (see `spikelab jobs` and `spikelab convert --help`)');
        return;
      }
      console.log(`${m.metric} of the SNN at time step t (ANN: the converted network's ANN on the same test images)\n`);
      console.log(formatTable(headers, rows));
    });
}
