// The work behind `spikelab train` (loaded only when the command runs).
import type { Command } from 'commander';
import type { TrainingConfigInput } from '../../generated/graphql.js';
import { withClient } from '../context.js';
import { followJob } from '../follow.js';
import { printJson } from '../output.js';
import type { TrainOptions } from './train.js';

function trainingConfig(o: TrainOptions): TrainingConfigInput {
  return {
    ...(o.epochs !== undefined && { epochs: o.epochs }),
    ...(o.batchSize !== undefined && { batchSize: o.batchSize }),
    ...(o.lr !== undefined && { learningRate: o.lr }),
    ...(o.momentum !== undefined && { momentum: o.momentum }),
    ...(o.weightDecay !== undefined && { weightDecay: o.weightDecay }),
    ...(o.schedule !== undefined && { schedule: o.schedule }),
    ...(o.labelSmoothing !== undefined && { labelSmoothing: o.labelSmoothing }),
    ...(o.augment !== undefined && { augment: o.augment }),
    ...(o.validationSplit !== undefined && { validationSplit: o.validationSplit }),
    ...(o.maxTrainSamples !== undefined && { maxTrainSamples: o.maxTrainSamples }),
    ...(o.maxValidationSamples !== undefined && { maxValidationSamples: o.maxValidationSamples }),
    ...(o.seed !== undefined && { seed: o.seed }),
  };
}

export async function runTrain(modelRef: string, opts: TrainOptions, cmd: Command): Promise<void> {
  await withClient(cmd, async (client) => {
    const [model, dataset] = await Promise.all([client.findModel(modelRef), client.findDataset(opts.dataset)]);
    const run = await client.startTraining({ modelId: model.id, datasetId: dataset.id, config: trainingConfig(opts), ...(opts.backend !== undefined && { backend: opts.backend }) });
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
}
