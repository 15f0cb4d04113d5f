// `spikelab compare`: the backbone × time-step matrix as an aligned table, JSON or CSV; with
// --sweep, the sweep pivoted on one config axis (rows = backbone, columns = the axis' values, cells
// = the SNN metric at one step). Its run selection options are shared with `spikelab report`.
import { type Command, Option } from 'commander';
import type { SpikelabClient, SweepPivot } from '../../api/client.js';
import type { CompareMatrix } from '../../../src/formats/compare.js';
import { CONVERSION_CONFIG_FIELDS } from '../../../src/formats/conversion.js';
import { SWEEP_AXES } from '../../../src/formats/sweep.js';
import { matrixRows } from '../../report/matrix.js';
import { withClient } from '../context.js';
import { fieldOption } from '../fields.js';
import { type Cell, formatCsv, formatTable, printJson } from '../output.js';
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
  sweep?: string;
  axis?: string;
  step?: number;
}

/** The pivot as a table: one row per backbone (× other swept axes), the ANN, then one column per axis value. */
export function pivotRows(p: SweepPivot): { headers: string[]; rows: Cell[][] } {
  const headers = ['backbone', ...(p.rows[0]?.others.map((o) => o.name) ?? []), 'ANN', ...p.columns.map((c) => `${p.axis}=${c}`)];
  return { headers, rows: p.rows.map((r) => [r.backbone, ...r.others.map((o) => o.value), r.annValue, ...r.values]) };
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
    .addOption(new Option('--sweep <id>', 'pivot this sweep: rows = backbone (× the other swept axes), columns = the values of one config axis').conflicts(['run', 'steps']))
    .addOption(new Option('--axis <field>', 'with --sweep: the config field on the columns (default: the first swept one)').choices(SWEEP_AXES))
    .addOption(fieldOption('timeSteps', { ...CONVERSION_CONFIG_FIELDS.timeSteps, default: undefined, description: "with --sweep: the step of every cell (default: each run's T)" }, '--step <t>'))
    .addOption(new Option('--json', 'print the matrix (the pivot with --sweep) as JSON').conflicts('csv'))
    .option('--csv', 'print the matrix (the pivot with --sweep) as CSV')
    .action(async (o: CompareOptions, c: Command) => {
      if (o.sweep !== undefined) return comparePivot(c, o);
      if (o.axis !== undefined || o.step !== undefined) c.error('error: --axis and --step pivot a sweep: give --sweep <id>', { exitCode: 2 });
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

async function comparePivot(c: Command, o: CompareOptions): Promise<void> {
  const p = await withClient(c, (client) => client.sweepPivot(o.sweep!, { ...(o.axis !== undefined && { axis: o.axis }), ...(o.step !== undefined && { step: o.step }), ...(o.metric !== undefined && { metric: o.metric }) }));
  if (o.json) return printJson(p);
  const { headers, rows } = pivotRows(p);
  if (o.csv) {
    console.log(formatCsv(headers, rows));
    return;
  }
  console.log(`sweep ${p.sweepId}: ${p.metric} of the SNN at ${p.step === null ? 'each run\'s T' : `step ${p.step}`} by ${p.axis} (ANN: the same test images)\n`);
  console.log(formatTable(headers, rows));
}
