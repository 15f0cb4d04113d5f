// `spikelab train`: starts a training run of a model on a data set and follows its progress. The
// config options come from the training table (src/formats/training.ts).
import { type Command, Option } from 'commander';
import { BACKENDS } from '../../../src/formats/conversion.js';
import { TRAINING_CONFIG_FIELDS } from '../../../src/formats/training.js';
import { withClient } from '../context.js';
import { addTableOptions } from '../fields.js';
import { followJob } from '../follow.js';
import { printJson } from '../output.js';

interface TrainOptions {
  dataset: string;
  backend?: string;
  alias?: string;
  wait: boolean;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model on a data set (a job on the server); follows its progress unless --no-wait')
    .argument('<model>', 'model name or id')
    .requiredOption('--dataset <name>', 'data set name or id');
  const config = addTableOptions(cmd, TRAINING_CONFIG_FIELDS, { flags: { learningRate: '--lr <rate>' } });
  cmd
    .addOption(new Option('--backend <name>', "compute backend for this job (default: the server's)").choices(BACKENDS))
    .option('--alias <alias>', 'also point this alias (e.g. paper) at the resulting checkpoint (best and latest are set by the server)')
    .option('--no-wait', 'return once the job is queued')
    .option('--json', 'print the finished run (or the queued job) as JSON')
    .action(async (modelRef: string, opts: TrainOptions, c: Command) => {
      await withClient(c, async (client) => {
        const [model, dataset] = await Promise.all([client.findModel(modelRef), client.findDataset(opts.dataset)]);
        const run = await client.startTraining({ modelId: model.id, datasetId: dataset.id, config: config(opts), ...(opts.backend !== undefined && { backend: opts.backend }) });
        if (!opts.wait || !run.jobId) {
          if (opts.json) return printJson(run);
          console.log(`queued training run ${run.id} (job ${run.jobId ?? '-'}) of ${model.name} on ${dataset.name}; follow it with \`spikelab jobs wait ${run.jobId ?? ''}\``);
          return;
        }
        await followJob(client, run.jobId, `train ${model.name}`);
        let done = await client.trainingRun(run.id);
        if (opts.alias && done.resultCheckpointId) {
          await client.setAlias(done.resultCheckpointId, opts.alias);
          done = await client.trainingRun(run.id);
        }
        if (opts.json) return printJson(done);
        console.log(`training run ${done.id}: ${done.status}, ${done.epochsCompleted} epoch(s), best validation ${done.metricName ?? 'metric'} ${done.bestMetric?.toFixed(4) ?? '-'} (epoch ${done.bestEpoch ?? '-'}), backend ${done.backendUsed ?? '-'}`);
        console.log(`checkpoint ${done.resultCheckpointId ?? '-'}: convert it with \`spikelab convert ${done.resultCheckpointId ?? model.name} --dataset ${dataset.name}\``);
      });
    });
}
