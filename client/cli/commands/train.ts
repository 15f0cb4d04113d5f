// `spikelab train`: starts a training run of a model on a data set and follows its progress.
import { type Command, Option } from 'commander';
import { float, int } from '../parse.js';

export interface TrainOptions {
  dataset: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  schedule?: string;
  labelSmoothing?: number;
  augment?: boolean;
  validationSplit?: number;
  maxTrainSamples?: number;
  maxValidationSamples?: number;
  seed?: number;
  backend?: string;
  alias?: string;
  wait: boolean;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a model on a data set (a job on the server); follows its progress unless --no-wait')
    .argument('<model>', 'model name or id')
    .requiredOption('--dataset <name>', 'data set name or id')
    .option('--epochs <n>', 'epochs (default 10)', int(1, 10000))
    .option('--batch-size <n>', 'batch size (default 64)', int(1, 65536))
    .option('--lr <rate>', 'learning rate (default 0.05)', float(0, 10))
    .option('--momentum <m>', 'SGD momentum (default 0.9)', float(0, 1))
    .option('--weight-decay <wd>', 'weight decay (default 5e-4)', float(0, 1))
    .addOption(new Option('--schedule <schedule>', 'learning-rate schedule (default cosine)').choices(['cosine', 'constant']))
    .option('--label-smoothing <eps>', 'label smoothing (default 0)', float(0, 1))
    .option('--augment', 'random crop + flip augmentation (default on)')
    .option('--no-augment', 'no augmentation')
    .option('--validation-split <fraction>', 'held-out fraction of the training set (default 0.1)', float(0, 0.9))
    .option('--max-train-samples <n>', 'use at most n training images', int(1))
    .option('--max-validation-samples <n>', 'use at most n validation images', int(1))
    .option('--seed <n>', 'random seed (default 0)', int(0))
    .addOption(new Option('--backend <name>', 'compute backend for this job (default: the server\'s)').choices(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']))
    .option('--alias <alias>', 'also point this alias (e.g. paper) at the resulting checkpoint (best and latest are set by the server)')
    .option('--no-wait', 'return once the job is queued')
    .option('--json', 'print the finished run (or the queued job) as JSON')
    .action(async (model: string, opts: TrainOptions, cmd: Command) => {
      const { runTrain } = await import('./train-action.js');
      await runTrain(model, opts, cmd);
    });
}
