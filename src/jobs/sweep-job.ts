// Sweep jobs: the open points of one sweep on one checkpoint, computed by the engine's convertSweep
// in one worker. Each point is committed (results + SUCCEEDED, one transaction) as soon as the
// worker posts it, so a cancelled or crashed sweep keeps every finished point and a retry computes
// only the rest. The runs follow the job's status through syncRunStatus (registry/sweep-status.ts).
import type { Job } from '../registry/records.js';
import { datasetSpecOf } from '../registry/runs.js';
import type { StepMetricsEvent } from './events.js';
import { conversionBackend, type Execution, type JobEnv } from './execution.js';
import { checkpointPayload } from './training-job.js';

export async function prepareSweep(env: JobEnv, job: Job): Promise<Execution> {
  const { sweeps, conversionRuns, datasets, jobs } = env.registry;
  const work = await sweeps.workOf(job.id);
  const dataset = await datasets.get(work.sweep.datasetId);
  const checkpoint = await checkpointPayload(env, work.checkpointId);
  const runs = work.runs;
  const counted = { calibrations: 0, simulations: 0 };
  const publish = (runId: number, e: Partial<StepMetricsEvent>): void =>
    env.events.publish('stepMetrics', runId, { runId, final: true, step: null, values: null, series: null, batch: null, batches: null, samples: null, done: false, ...e });
  return {
    task: { kind: 'sweep', checkpoint, dataset: datasetSpecOf(dataset), configs: runs.map((r) => conversionRuns.configOf(r)), maxSamples: work.sweep.maxSamples, backend: conversionBackend(work.sweep.backend) },
    transfer: [checkpoint.weights.buffer as ArrayBuffer],
    backend: env.backend,
    async onMessage(m) {
      if (m.type !== 'point') return;
      const run = runs[m.index];
      if (!run) throw new Error(`sweep job ${job.id}: the worker posted point ${m.index} of ${runs.length}`);
      await sweeps.recordWork(job.id, { calibrations: m.calibrations - counted.calibrations, simulations: m.simulations - counted.simulations });
      Object.assign(counted, { calibrations: m.calibrations, simulations: m.simulations });
      if (!(await conversionRuns.storePoint(run.id, m.result))) return;
      const names = Object.keys(m.result.stepMetrics);
      for (let t = 1; t <= m.result.config.timeSteps; t++) {
        publish(run.id, { step: t, values: Object.fromEntries(names.map((n) => [n, m.result.stepMetrics[n]![t - 1]!])), samples: m.result.samples });
      }
      publish(run.id, { done: true });
    },
    async succeed() {
      const open = (await sweeps.workOf(job.id)).runs.length;
      // a point the engine never answered fails its run (sweep-status.ts) and the job
      if (open > 0) await jobs.finish(job.id, 'FAILED', { error: `the engine finished without a result for ${open} point(s)` });
      else await jobs.finish(job.id, 'SUCCEEDED', { result: { sweepId: work.sweep.id, points: runs.length } });
      for (const r of runs) publish(r.id, { done: true });
    },
    async abort(status, error) {
      await jobs.finish(job.id, status, { error });
      for (const r of runs) publish(r.id, { done: true });
    },
  };
}
