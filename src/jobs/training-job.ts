// Training jobs: per-iteration and per-epoch curves are stored as they arrive; on success the best
// weights become a checkpoint aliased 'latest' (and 'best'). The same functions persist what an
// in-process worker thread and a remote worker (src/jobs/remote.ts) report.
import { isZooSpec } from '../formats/index.js';
import type { TrainingOutput } from '../registry/training-runs.js';
import type { Job } from '../registry/records.js';
import type { TrainingRun } from '../registry/training-runs.js';
import { datasetSpecOf } from '../registry/runs.js';
import type { CheckpointPayload, TrainingTask } from './messages.js';
import { trainingBackend, type Execution, type JobEnv } from './execution.js';

export async function checkpointPayload(env: JobEnv, checkpointId: number): Promise<CheckpointPayload> {
  const cp = await env.registry.checkpoints.get(checkpointId);
  const weights = new Uint8Array(await env.registry.checkpoints.readWeights(checkpointId));
  return { manifest: cp.manifest, weights };
}

export async function trainingRunOf(env: JobEnv, job: Job): Promise<TrainingRun> {
  const run = await env.registry.trainingRuns.byJob(job.id);
  if (!run) throw new Error(`job ${job.id} has no training run`);
  return run;
}

/** The task without its initial weights; a (re)started run begins its curves again. */
export async function trainingTaskOf(env: JobEnv, run: TrainingRun): Promise<Omit<TrainingTask, 'init'>> {
  const model = await env.registry.models.get(run.modelId);
  if (!isZooSpec(model.spec)) throw new Error(`model ${model.id} is an imported ONNX model: it cannot be trained`);
  const dataset = await env.registry.datasets.get(run.datasetId);
  await env.registry.trainingRuns.resetMetrics(run.id);
  return { kind: 'training', modelSpec: model.spec, dataset: datasetSpecOf(dataset), config: run.config };
}

/** Stores the trained checkpoint with SUCCEEDED; returns the ended job. */
export function completeTraining(env: JobEnv, job: Job, runId: number, out: TrainingOutput): Promise<Job> {
  return env.registry.trainingRuns.complete(runId, job.id, out);
}

/** Ends the job (and its run) FAILED or CANCELLED; returns the ended job. */
export function abortTraining(env: JobEnv, job: Job, status: 'FAILED' | 'CANCELLED', error: string): Promise<Job> {
  return env.registry.jobs.finish(job.id, status, { error });
}

export async function prepareTraining(env: JobEnv, job: Job): Promise<Execution> {
  const runs = env.registry.trainingRuns;
  const run = await trainingRunOf(env, job);
  const init = run.initCheckpointId != null ? await checkpointPayload(env, run.initCheckpointId) : null;
  const task: TrainingTask = { ...(await trainingTaskOf(env, run)), init };
  let pending: { iteration: number; loss: number; lr: number }[] = [];
  let lastFlush = Date.now();
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    lastFlush = Date.now();
    if (batch.length > 0) await runs.recordIterations(run.id, batch);
  };
  return {
    task,
    transfer: init ? [init.weights.buffer as ArrayBuffer] : [],
    backend: trainingBackend(run.backend, env),
    async onMessage(m) {
      if (m.type === 'iteration') {
        pending.push({ iteration: m.iteration, loss: m.loss, lr: m.lr });
        if (pending.length >= 500 || Date.now() - lastFlush > 1000) await flush();
      } else if (m.type === 'epoch') {
        await flush();
        await runs.recordEpoch(run.id, m.record);
      }
    },
    async succeed(m) {
      await flush();
      const out = m.training;
      if (!out) throw new Error('training worker returned no weights');
      await completeTraining(env, job, run.id, {
        manifest: out.checkpoint.manifest,
        weights: out.checkpoint.weights,
        metricName: out.outcome.metric,
        bestEpoch: out.outcome.bestEpoch,
        bestMetric: out.outcome.bestValMetric,
        backendUsed: out.backend,
      });
    },
    async abort(status, error) {
      await flush();
      await abortTraining(env, job, status, error);
    },
  };
}
