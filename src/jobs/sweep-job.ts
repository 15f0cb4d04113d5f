// Sweep jobs: the open points of one sweep on one checkpoint, computed by the engine's convertSweep
// in one worker (a thread of the server's runner, or a remote `spikelab worker`). Each point is
// committed (results + SUCCEEDED, one transaction) as soon as the worker posts it, so a cancelled or
// crashed sweep keeps every finished point and a retry computes only the rest. The runs follow the
// job's status through syncRunStatus (registry/sweep-status.ts).
import type { ConversionResult } from '../formats/index.js';
import type { ConversionRun, Job } from '../registry/records.js';
import { datasetSpecOf } from '../registry/runs.js';
import { publishDone, publishResult } from './conversion-job.js';
import { conversionBackend, type Execution, type JobEnv } from './execution.js';
import { checkpointPayload } from './training-job.js';

/**
 * One finished point of sweep job `jobId`: the shared work it adds (calibrations and simulations
 * the engine ran since the last point), then the run's results and SUCCEEDED in one transaction,
 * its series streamed. Nothing is stored for a run that ended meanwhile (a cancel).
 */
export async function storeSweepPoint(env: JobEnv, jobId: number, run: ConversionRun, more: { calibrations: number; simulations: number }, result: ConversionResult): Promise<void> {
  await env.registry.sweeps.recordWork(jobId, more);
  if (await env.registry.conversionRuns.storePoint(run.id, result)) publishResult(env, run.id, result);
}

/**
 * The worker finished sweep job `job`: SUCCEEDED when every point has its result, else FAILED (a
 * point the engine never answered fails its run, sweep-status.ts); the open runs' streams end.
 */
export async function completeSweep(env: JobEnv, job: Job): Promise<Job> {
  const work = await env.registry.sweeps.workOf(job.id);
  const open = work.runs.length;
  const ended =
    open > 0
      ? await env.registry.jobs.finish(job.id, 'FAILED', { error: `the engine finished without a result for ${open} point(s)` })
      : await env.registry.jobs.finish(job.id, 'SUCCEEDED', { result: { sweepId: work.sweep.id, points: work.points } });
  for (const r of work.runs) publishDone(env, r.id);
  return ended;
}

/** Sweep job `job` ends FAILED or CANCELLED; the points already stored stay, the open runs' streams end. */
export async function abortSweep(env: JobEnv, job: Job, status: 'FAILED' | 'CANCELLED', error: string): Promise<Job> {
  const { runs } = await env.registry.sweeps.workOf(job.id);
  const ended = await env.registry.jobs.finish(job.id, status, { error });
  for (const r of runs) publishDone(env, r.id);
  return ended;
}

export async function prepareSweep(env: JobEnv, job: Job): Promise<Execution> {
  const { sweeps, conversionRuns, datasets } = env.registry;
  const work = await sweeps.workOf(job.id);
  const dataset = await datasets.get(work.sweep.datasetId);
  const checkpoint = await checkpointPayload(env, work.checkpointId);
  const runs = work.runs;
  const counted = { calibrations: 0, simulations: 0 };
  return {
    task: { kind: 'sweep', checkpoint, dataset: datasetSpecOf(dataset), configs: runs.map((r) => conversionRuns.configOf(r)), maxSamples: work.sweep.maxSamples, backend: conversionBackend(work.sweep.backend) },
    transfer: [checkpoint.weights.buffer as ArrayBuffer],
    backend: env.backend,
    async onMessage(m) {
      if (m.type !== 'point') return;
      const run = runs[m.index];
      if (!run) throw new Error(`sweep job ${job.id}: the worker posted point ${m.index} of ${runs.length}`);
      const more = { calibrations: m.calibrations - counted.calibrations, simulations: m.simulations - counted.simulations };
      Object.assign(counted, { calibrations: m.calibrations, simulations: m.simulations });
      await storeSweepPoint(env, job.id, run, more, m.result);
    },
    async succeed() {
      await completeSweep(env, job);
    },
    async abort(status, error) {
      await abortSweep(env, job, status, error);
    },
  };
}
