// Conversion jobs: running per-step estimates are streamed after every test batch; on success the
// summary, all step metrics and layer stats commit with the SUCCEEDED status, then the final value
// of every step is streamed.
import type { PartialConversion } from '../registry/conversion-runs.js';
import type { Job } from '../registry/records.js';
import { datasetSpecOf } from '../registry/runs.js';
import type { StepMetricsEvent } from './events.js';
import { conversionBackend, type Execution, type JobEnv } from './execution.js';
import { checkpointPayload } from './training-job.js';

export async function prepareConversion(env: JobEnv, job: Job): Promise<Execution> {
  const runs = env.registry.conversionRuns;
  const run = await runs.byJob(job.id);
  if (!run) throw new Error(`job ${job.id} has no conversion run`);
  const dataset = await env.registry.datasets.get(run.datasetId);
  const checkpoint = await checkpointPayload(env, run.checkpointId);
  await runs.resetResults(run.id);
  let partial: PartialConversion | null = null;
  const publish = (e: StepMetricsEvent): void => env.events.publish('stepMetrics', run.id, e);
  const done = (): void => publish({ runId: run.id, final: true, step: null, values: null, series: null, batch: null, batches: null, samples: null, done: true });
  return {
    task: { kind: 'conversion', checkpoint, dataset: datasetSpecOf(dataset), config: runs.configOf(run), maxSamples: run.maxSamples, backend: conversionBackend(run.backend) },
    transfer: [checkpoint.weights.buffer as ArrayBuffer],
    backend: env.backend,
    onMessage(m) {
      if (m.type === 'batch') {
        partial = { samples: m.samples, stepMetrics: m.stepMetrics };
        publish({ runId: run.id, final: false, step: null, values: null, series: m.stepMetrics, batch: m.batch, batches: m.batches, samples: m.samples, done: false });
      }
      return Promise.resolve();
    },
    async succeed(m) {
      const r = m.conversion;
      if (!r) throw new Error('conversion worker returned no result');
      await runs.complete(run.id, job.id, r);
      const names = Object.keys(r.stepMetrics);
      for (let t = 1; t <= r.config.timeSteps; t++) {
        const values = Object.fromEntries(names.map((n) => [n, r.stepMetrics[n]![t - 1]!]));
        publish({ runId: run.id, final: true, step: t, values, series: null, batch: null, batches: null, samples: r.samples, done: false });
      }
      done();
    },
    async abort(status, error) {
      await runs.abort(run.id, job.id, status, error, partial);
      done();
    },
  };
}
