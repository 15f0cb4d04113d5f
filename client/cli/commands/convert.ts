// `spikelab convert`: converts a checkpoint to a burst-spike SNN and simulates it (a job).
// Every boolean has an off switch (conversion.md §9.7): --channel-wise / --no-channel-wise,
// --max-pool lipool|gate (or --lipool / --gate).
import { type Command, Option } from 'commander';
import { float, int } from '../parse.js';

export interface ConvertOptions {
  dataset: string;
  timeSteps?: number;
  percentile?: number;
  gamma?: number;
  channelWise?: boolean;
  maxPool?: string;
  reset?: string;
  vInit?: number;
  calibrationBatches?: number;
  batchSize?: number;
  maxTestSamples?: number;
  seed?: number;
  backend?: string;
  wait: boolean;
  json?: boolean;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert a checkpoint to a spiking network and simulate T steps on a data set (a job); follows its progress unless --no-wait')
    .argument('<checkpoint>', 'checkpoint id, or model[:alias] (default alias: the latest checkpoint)')
    .requiredOption('--dataset <name>', 'data set name or id (its test split is simulated)')
    .option('-T, --time-steps <T>', 'simulated time steps (default 64)', int(1, 4096))
    .option('--percentile <p>', 'calibration percentile in (0, 1] (default 0.99)', float(0.000001, 1))
    .option('--gamma <Γ>', 'maximum burst: spikes per neuron per step (default 5; 1 = plain IF)', int(1, 64))
    .option('--channel-wise', 'one λ per channel')
    .option('--no-channel-wise', 'one λ per activation site (default)')
    .addOption(new Option('--max-pool <mode>', 'max-pool conversion (default lipool)').choices(['lipool', 'gate']))
    .addOption(new Option('--lipool', 'same as --max-pool lipool').implies({ maxPool: 'lipool' }).conflicts('gate'))
    .addOption(new Option('--gate', 'same as --max-pool gate').implies({ maxPool: 'gate' }))
    .addOption(new Option('--reset <mode>', 'membrane reset after a spike (default subtract)').choices(['subtract', 'zero']))
    .option('--v-init <fraction>', 'initial membrane as a fraction of θ (default 0)', float(0, 1))
    .option('--calibration-batches <n>', 'training batches for percentile calibration (default 1)', int(1, 10000))
    .option('--batch-size <n>', 'batch size (default 32)', int(1, 65536))
    .option('--max-test-samples <n>', 'simulate at most n test images', int(1))
    .option('--seed <n>', 'random seed (default 0)', int(0))
    .addOption(new Option('--backend <name>', 'compute backend for this job (default: the server\'s)').choices(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']))
    .option('--no-wait', 'return once the job is queued')
    .option('--json', 'print the finished run (or the queued job) as JSON')
    .action(async (checkpoint: string, opts: ConvertOptions, cmd: Command) => {
      const { runConvert } = await import('./convert-action.js');
      await runConvert(checkpoint, opts, cmd);
    });
}
