// `spikelab sweep <checkpoint|model[:alias]>… --dataset D [--gamma 1,3,5] [--percentile 0.99,0.999] …`
// queues one sweep (the cross product of the listed values for each checkpoint) and follows its
// jobs; `spikelab sweeps [list|show|cancel]` looks after sweeps. The list options are the
// conversion config table (src/formats/conversion.ts), each value bounded by the table's schema.
import { type Command, Option } from 'commander';
import type { Sweep, SpikelabClient } from '../../api/client.js';
import { SpikelabError } from '../../api/errors.js';
import { CONVERSION_BACKENDS, CONVERSION_CONFIG_FIELDS } from '../../../src/formats/conversion.js';
import { RUN_STATUSES } from '../../../src/registry/vocab.js';
import { withClient } from '../context.js';
import { addTableListOptions } from '../fields.js';
import { followJob } from '../follow.js';
import { type Cell, formatTable, listOrder, orderOption, printJson } from '../output.js';
import { int } from '../parse.js';
import type { ConvertOptions } from './convert.js';


/** The points of a sweep as a table: the swept fields, status, whether reused, the ANN and the SNN at T. */
export function pointRows(s: Sweep): { headers: string[]; rows: Cell[][] } {
  const axes = s.sweptAxes.length > 0 ? s.sweptAxes : ['timeSteps'];
  const headers = ['run', 'backbone', ...axes, 'status', 'cached', 'metric', 'ANN', 'SNN best', 'step', 'loss@T'];
  const rows = s.runs.map((r) => {
    const config = r as unknown as Record<string, Cell>;
    return [r.id, r.checkpoint.model.name, ...axes.map((a) => config[a]), r.status, r.cached ? 'yes' : 'no', r.primaryMetric, r.annValue, r.best, r.bestStep, r.lossAtT];
  });
  return { headers, rows };
}

function printSweep(s: Sweep): void {
  const reused = s.cachedPoints > 0 ? `, ${s.cachedPoints} from the registry` : '';
  console.log(`sweep ${s.id} on ${s.dataset.name}: ${s.pointCount} points (${s.sweptAxes.join(' × ') || 'one config'}${reused}), ${s.status}; the engine ran ${s.calibrations} calibration(s) and ${s.simulations} simulation(s)`);
  if (s.error) console.log(`error: ${s.error}`);
  const { headers, rows } = pointRows(s);
  console.log(formatTable(headers, rows));
  console.log(`\npivot: spikelab compare --sweep ${s.id}${s.sweptAxes[0] ? ` --axis ${s.sweptAxes[0]}` : ''}`);
}

/** Follows each job of the sweep with a progress bar; returns the sweep once every job has ended. */
async function followSweep(client: SpikelabClient, sweep: Sweep): Promise<Sweep> {
  const names = new Map(sweep.runs.map((r) => [r.checkpoint.id, r.checkpoint.model.name]));
  for (const w of sweep.work) {
    if (!w.job) continue;
    try {
      await followJob(client, w.job.id, `sweep ${sweep.id} · ${names.get(w.checkpointId) ?? `checkpoint ${w.checkpointId}`} (${w.points} points)`);
    } catch (err) {
      // a failed or cancelled job: the other checkpoints still run; the sweep's status says it at the end
      if (!(err instanceof SpikelabError) || (err.code !== 'JOB_FAILED' && err.code !== 'JOB_CANCELLED')) throw err;
    }
  }
  return client.sweep(sweep.id);
}

export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('queue one sweep: the cross product of the listed config values for each checkpoint (points already computed come from the registry); follows it unless --no-wait')
    .argument('<checkpoint...>', 'checkpoint ids, or model[:alias] (default alias: the latest checkpoint)')
    .requiredOption('--dataset <name>', 'data set name or id (its test split is simulated)');
  const axes = addTableListOptions(cmd, CONVERSION_CONFIG_FIELDS, { flags: { timeSteps: '-T, --time-steps <list>' } });
  cmd
    .option('--max-test-samples <n>', 'simulate at most n test images per point', int(1))
    .addOption(new Option('--backend <name>', "ONNX Runtime execution provider of every point (default: the server's choice)").choices(CONVERSION_BACKENDS))
    .option('--force', 'compute every point again, even those an identical run answered before')
    .option('--no-wait', 'return once the sweep is queued')
    .option('--json', 'print the sweep with its runs as JSON ({ "sweep": … })')
    .action(async (refs: string[], opts: ConvertOptions, c: Command) => {
      await withClient(c, async (client) => {
        const [dataset, ...checkpointIds] = await Promise.all([client.findDataset(opts.dataset), ...refs.map((r) => client.resolveCheckpoint(r))]);
        let sweep = await client.startSweep({
          checkpointIds,
          datasetId: dataset.id,
          axes: axes(opts),
          ...(opts.maxTestSamples !== undefined && { maxSamples: opts.maxTestSamples }),
          ...(opts.backend !== undefined && { backend: opts.backend }),
          ...(opts.force && { force: true }),
        });
        if (opts.wait) sweep = await followSweep(client, sweep);
        if (opts.json) printJson({ sweep });
        else if (!opts.wait) console.log(`queued sweep ${sweep.id}: ${sweep.pointCount} points (${sweep.cachedPoints} from the registry); follow it with \`spikelab sweeps show ${sweep.id}\``);
        else printSweep(sweep);
        if (opts.wait && sweep.status !== 'SUCCEEDED') throw new SpikelabError(`sweep ${sweep.id} ${sweep.status}${sweep.error ? `: ${sweep.error}` : ''}`, sweep.status === 'CANCELLED' ? 'JOB_CANCELLED' : 'JOB_FAILED');
      });
    });

  const sweeps = program.command('sweeps').description('list, show and cancel sweeps');
  sweeps
    .command('list', { isDefault: true })
    .description('list sweeps, newest first (the default command)')
    .addOption(new Option('--status <status>', 'only sweeps with this status').choices(RUN_STATUSES))
    .option('--limit <n>', 'show at most n sweeps', int(1, 10000), 50)
    .addOption(orderOption())
    .option('--json', 'print JSON')
    .action(async (o: { status?: string; limit: number; order: string; json?: boolean }, c: Command) => {
      const list = await withClient(c, (client) => client.sweeps(o.status ? { status: o.status } : {}, o.limit, listOrder(o.order)));
      if (o.json) return printJson(list);
      console.log(formatTable(['sweep', 'data set', 'axes', 'points', 'done', 'cached', 'status', 'progress', 'created'],
        list.map((s) => [s.id, s.dataset.name, s.sweptAxes.join(' × '), s.pointCount, s.pointsDone, s.cachedPoints, s.status, `${(s.progress * 100).toFixed(0)}%`, s.createdAt])));
    });
  sweeps
    .command('show')
    .description('show a sweep and its points (which one is running, which came from the registry)')
    .argument('<id>', 'sweep id')
    .option('--json', 'print JSON ({ "sweep": … })')
    .action(async (id: string, o: { json?: boolean }, c: Command) => {
      const s = await withClient(c, (client) => client.sweep(id));
      if (o.json) return printJson({ sweep: s });
      printSweep(s);
      if (s.message) console.log(`running: ${s.message}`);
    });
  sweeps
    .command('cancel')
    .description('cancel a sweep (finished points keep their results)')
    .argument('<id>', 'sweep id')
    .action(async (id: string, _o: unknown, c: Command) => {
      const s = await withClient(c, (client) => client.cancelSweep(id));
      console.log(`sweep ${s.id}: ${s.status === 'CANCELLED' ? 'cancelled' : `cancellation requested (${s.status}; running jobs stop within one batch)`}`);
    });
}
