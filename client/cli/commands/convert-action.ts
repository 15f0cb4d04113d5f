// The work behind `spikelab convert` (loaded only when the command runs).
import type { Command } from 'commander';
import type { ConversionConfigInput } from '../../generated/graphql.js';
import { withClient } from '../context.js';
import { followJob } from '../follow.js';
import { printJson } from '../output.js';
import type { ConvertOptions } from './convert.js';

function conversionConfig(o: ConvertOptions): ConversionConfigInput {
  return {
    ...(o.timeSteps !== undefined && { timeSteps: o.timeSteps }),
    ...(o.percentile !== undefined && { percentile: o.percentile }),
    ...(o.gamma !== undefined && { gamma: o.gamma }),
    ...(o.channelWise !== undefined && { channelWise: o.channelWise }),
    ...(o.maxPool !== undefined && { maxPool: o.maxPool }),
    ...(o.reset !== undefined && { reset: o.reset }),
    ...(o.vInit !== undefined && { vInit: o.vInit }),
    ...(o.calibrationBatches !== undefined && { calibrationBatches: o.calibrationBatches }),
    ...(o.batchSize !== undefined && { batchSize: o.batchSize }),
    ...(o.seed !== undefined && { seed: o.seed }),
  };
}

const f4 = (v: number | null): string => (v === null ? '-' : v.toFixed(4));

export async function runConvert(checkpointRef: string, opts: ConvertOptions, cmd: Command): Promise<void> {
  await withClient(cmd, async (client) => {
    const [checkpointId, dataset] = await Promise.all([client.resolveCheckpoint(checkpointRef), client.findDataset(opts.dataset)]);
    const run = await client.startConversion({
      checkpointId,
      datasetId: dataset.id,
      config: conversionConfig(opts),
      ...(opts.maxTestSamples !== undefined && { maxSamples: opts.maxTestSamples }),
      ...(opts.backend !== undefined && { backend: opts.backend }),
    });
    if (!opts.wait || !run.jobId) {
      if (opts.json) return printJson(run);
      console.log(`queued conversion run ${run.id} (job ${run.jobId ?? '-'}) of checkpoint ${checkpointId} on ${dataset.name}; follow it with \`spikelab jobs wait ${run.jobId ?? ''}\``);
      return;
    }
    await followJob(client, run.jobId, `convert ${run.checkpoint.model.name}`);
    const r = await client.conversionRun(run.id);
    if (opts.json) return printJson(r);
    console.log(`conversion run ${r.id}: ${r.status}, T=${r.timeSteps}, ${r.samples ?? '?'} test samples, backend ${r.backendUsed ?? '-'}`);
    console.log(`${r.primaryMetric ?? 'metric'}: ANN ${f4(r.annValue)} → SNN ${f4(r.best)} best (step ${r.bestStep ?? '-'}), loss at T ${f4(r.lossAtT)}, within 1% from step ${r.firstStepWithin1 ?? 'never'}`);
    console.log(`SOPs/sample ${r.sops?.toExponential(3) ?? '-'}, energy SNN/ANN ${f4(r.energyRatio)}`);
    for (const w of r.warnings) console.log(`warning: ${w}`);
  });
}
