// Training jobs: per-iteration and per-epoch curves are stored as they arrive; on success the best
// weights become a checkpoint aliased 'latest' (and 'best').
import { isZooSpec } from '../formats/index.js';
import type { Job } from '../registry/records.js';
import { datasetSpecOf } from '../registry/runs.js';
import type { CheckpointPayload } from './messages.js';
import { trainingBackend, type Execution, type JobEnv } from './execution.js';

export async function checkpointPayload(env: JobEnv, checkpointId: number): Promise<CheckpointPayload> {
  const cp = await env.registry.checkpoints.get(checkpointId);
  const weights = new Uint8Array(await env.registry.checkpoints.readWeights(checkpointId));
  return { manifest: cp.manifest, weights };
}

export async function prepareTraining(env: JobEnv, job: Job): Promise<Execution> {
  const runs = env.registry.trainingRuns;
  const run = await runs.byJob(job.id);
  if (!run) throw new Error(`job ${job.id} has no training run`);
  const model = await env.registry.models.get(run.modelId);
  if (!isZooSpec(model.spec)) throw new Error(`model ${model.id} is an imported ONNX model: it cannot be trained`);
  const dataset = await env.registry.datasets.get(run.datasetId);
  const init = run.initCheckpointId != null ? await checkpointPayload(env, run.initCheckpointId) : null;
  await runs.resetMetrics(run.id);
  let pending: { iteration: number; loss: number; lr: number }[] = [];
  let lastFlush = Date.now();
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    lastFlush = Date.now();
    if (batch.length > 0) await runs.recordIterations(run.id, batch);
  };
  return {
    task: { kind: 'training', modelSpec: model.spec, dataset: datasetSpecOf(dataset), config: run.config, init },
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
      await runs.complete(run.id, job.id, {
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
      await env.registry.jobs.finish(job.id, status, { error });
    },
  };
}
