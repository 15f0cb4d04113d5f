// `spikelab convert`: converts a checkpoint to a burst-spike SNN and simulates it (a job). The
// config options come from the conversion table (src/formats/conversion.ts). Every boolean has an
// off switch (conversion.md §9.7): --channel-wise / --no-channel-wise, --max-pool lipool|gate (or
// --lipool / --gate).
import { type Command, Option } from 'commander';
import { CONVERSION_BACKENDS, CONVERSION_CONFIG_FIELDS } from '../../../src/formats/conversion.js';
import type { ConversionRun } from '../../api/client.js';
import { withClient } from '../context.js';
import { addTableOptions } from '../fields.js';
import { followJob } from '../follow.js';
import { printJson } from '../output.js';
import { int } from '../parse.js';

/** The options `spikelab convert` and `spikelab sweep` share (the config fields come from the table). */
export interface ConvertOptions {
  dataset: string;
  maxTestSamples?: number;
  backend?: string;
  force?: boolean;
  wait: boolean;
  json?: boolean;
}

const f4 = (v: number | null): string => (v === null ? '-' : v.toFixed(4));

export function registerConvert(program: Command): void {
  const cmd = program
    .command('convert')
    .description('convert a checkpoint to a spiking network and simulate T steps on a data set (a job); follows its progress unless --no-wait')
    .argument('<checkpoint>', 'checkpoint id, or model[:alias] (default alias: the latest checkpoint)')
    .requiredOption('--dataset <name>', 'data set name or id (its test split is simulated)');
  const config = addTableOptions(cmd, CONVERSION_CONFIG_FIELDS, {
    flags: { timeSteps: '-T, --time-steps <T>', percentile: '--percentile <p>', gamma: '--gamma <Γ>', maxPool: '--max-pool <mode>', reset: '--reset <mode>', vInit: '--v-init <fraction>' },
  });
  cmd
    .addOption(new Option('--lipool', 'same as --max-pool lipool').implies({ maxPool: 'lipool' }).conflicts('gate'))
    .addOption(new Option('--gate', 'same as --max-pool gate').implies({ maxPool: 'gate' }))
    .option('--max-test-samples <n>', 'simulate at most n test images', int(1))
    .addOption(new Option('--backend <name>', 'ONNX Runtime execution provider for this job (default auto: cuda where installed, else cpu)').choices(CONVERSION_BACKENDS))
    .option('--force', 'convert again even when an identical run succeeded before (otherwise that run is the answer, marked cached)')
    .option('--no-wait', 'return once the job is queued')
    .option('--json', 'print the finished run (or the queued job) as JSON')
    .action(async (checkpointRef: string, opts: ConvertOptions, c: Command) => {
      await withClient(c, async (client) => {
        const [checkpointId, dataset] = await Promise.all([client.resolveCheckpoint(checkpointRef), client.findDataset(opts.dataset)]);
        const run = await client.startConversion({
          checkpointId,
          datasetId: dataset.id,
          config: config(opts),
          ...(opts.maxTestSamples !== undefined && { maxSamples: opts.maxTestSamples }),
          ...(opts.backend !== undefined && { backend: opts.backend }),
          ...(opts.force && { force: true }),
        });
        if (run.cached) {
          // an identical run succeeded before: it is the answer, nothing was queued
          if (opts.json) return printJson(run);
          console.log(`conversion run ${run.id} (from the registry: an identical conversion succeeded before; --force converts again)`);
          return printSummary(run);
        }
        if (!opts.wait || !run.jobId) {
          if (opts.json) return printJson(run);
          console.log(`queued conversion run ${run.id} (job ${run.jobId ?? '-'}) of checkpoint ${checkpointId} on ${dataset.name}; follow it with \`spikelab jobs wait ${run.jobId ?? ''}\``);
          return;
        }
        await followJob(client, run.jobId, `convert ${run.checkpoint.model.name}`);
        const r = await client.conversionRun(run.id);
        if (opts.json) return printJson(r);
        printSummary(r);
      });
    });
}

function printSummary(r: ConversionRun): void {
  console.log(`conversion run ${r.id}: ${r.status}, T=${r.timeSteps}, ${r.samples ?? '?'} test samples, backend ${r.backendUsed ?? '-'}`);
  console.log(`${r.primaryMetric ?? 'metric'}: ANN ${f4(r.annValue)} → SNN ${f4(r.best)} best (step ${r.bestStep ?? '-'}), loss at T ${f4(r.lossAtT)}, within 1% from step ${r.firstStepWithin1 ?? 'never'}`);
  console.log(`SOPs/sample ${r.sops?.toExponential(3) ?? '-'}, energy SNN/ANN ${f4(r.energyRatio)}`);
  const e = r.earlyExit;
  if (e) {
    const rule = [e.patience != null && `patience ${e.patience}`, e.margin != null && `margin ${e.margin}`].filter(Boolean).join(' or ');
    console.log(`early exit (${rule}): accuracy ${f4(e.accuracy)}, mean ${e.meanSteps.toFixed(2)} steps, ${e.exited}/${r.samples ?? '?'} met a rule by T, SOPs/sample ${e.sops.toExponential(3)} (${((100 * e.sops) / e.fixedSops).toFixed(1)} % of fixed T), energy SNN/ANN ${f4(e.energyRatio)}`);
  }
  if (r.hybrid) console.log(`hybrid: analog head (${r.analogOps.join(', ')}) on the running mean of the last activation site, not spiking`);
  for (const w of r.warnings) console.log(`warning: ${w}`);
}
