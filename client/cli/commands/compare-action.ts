// The work behind `spikelab compare`: one row per conversion run, one column per time step.
import type { Command } from 'commander';
import type { SpikelabClient } from '../../api/client.js';
import type { CompareMatrix } from '../../../src/formats/compare.js';
import { withClient } from '../context.js';
import { type Cell, formatCsv, formatTable, printJson } from '../output.js';
import type { CompareOptions } from './compare.js';

/** Fetches the matrix the options select (names resolved to ids). */
export async function fetchMatrix(client: SpikelabClient, o: CompareOptions): Promise<CompareMatrix> {
  const datasetId = o.dataset === undefined ? undefined : (await client.findDataset(o.dataset)).id;
  const filter = {
    ...(datasetId !== undefined && { datasetId }),
    ...(o.timeSteps !== undefined && { timeSteps: o.timeSteps }),
    ...(o.alias !== undefined && { alias: o.alias }),
    status: 'SUCCEEDED',
  };
  return client.compare({ filter, ...(o.metric !== undefined && { metric: o.metric }), ...(o.run !== undefined && { runIds: o.run }), ...(o.steps !== undefined && { steps: o.steps }) });
}

/** Header and rows of the comparison (shared by the table, CSV and the demo). */
export function matrixRows(m: CompareMatrix): { headers: string[]; rows: Cell[][] } {
  const headers = ['run', 'backbone', 'arch', 'family', 'params', 'dataset', 'T', 'ANN', ...m.steps.map((s) => `t=${s}`), 'loss@T', 'first≤1%', 'SOPs', 'E_SNN/E_ANN'];
  const rows = m.rows.map((r): Cell[] => [
    r.conversionRunId, r.backbone, r.architecture, r.family, r.parameterCount, r.dataset, r.timeSteps, r.annValue,
    ...r.values, r.lossAtT, r.firstStepWithin1, r.sops.toExponential(2), r.energyRatio,
  ]);
  return { headers, rows };
}

export async function runCompare(o: CompareOptions, cmd: Command): Promise<void> {
  const m = await withClient(cmd, (c) => fetchMatrix(c, o));
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
}
