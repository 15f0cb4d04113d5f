// Runs one claimed job on a worker: fetches its inputs (cache), hands the task to a worker thread
// (src/jobs/slot.ts and worker.js: the very code the in-process runner uses), and forwards what the
// thread reports to the server in order: progress (at most every 500 ms), training curves,
// every finished conversion batch but the last (committed before the next is sent), every
// finished sweep point (stored at once), then the result. A cancel (the answer to a report or a
// heartbeat) stops the thread within a batch; a report the server refuses (JOB_NOT_HELD: the job
// was taken over) stops it too, without finishing.
import { SpikelabError } from '../api/errors.js';
import type { BackendName, DatasetSpec, Progress, RemoteCheckpoint, RemoteDataset, WorkerAssignment } from '../../src/formats/index.js';
import type { CheckpointPayload, FromWorker, Task } from '../../src/jobs/messages.js';
import type { WorkerSlot } from '../../src/jobs/slot.js';
import { conversionBackend, trainingBackend } from '../../src/jobs/execution.js';
import type { WorkerApi } from './api.js';
import type { InputCache } from './cache.js';

export type JobOutcome = 'finished' | 'crashed' | 'lost';

export interface ExecuteContext {
  api: WorkerApi;
  cache: InputCache;
  /** The worker's own backend (its --backend), used where a run asks for 'auto'. */
  backend: BackendName;
  log: (msg: string) => void;
}

async function checkpointOf(cache: InputCache, c: RemoteCheckpoint): Promise<CheckpointPayload> {
  return { manifest: c.manifest, weights: await cache.checkpoint(c.sha256) };
}

async function datasetOf(cache: InputCache, d: RemoteDataset): Promise<DatasetSpec> {
  const path = await cache.dataset(d);
  return { ...d.spec, ...(path !== undefined && { path }) };
}

/** The thread's task, inputs downloaded (or found in the cache). */
export async function taskOf(cache: InputCache, a: WorkerAssignment): Promise<Task> {
  const t = a.task;
  if (t.kind === 'training') return { kind: 'training', modelSpec: t.modelSpec, config: t.config, dataset: await datasetOf(cache, t.dataset), init: t.init ? await checkpointOf(cache, t.init) : null };
  if (t.kind === 'sweep') return { kind: 'sweep', checkpoint: await checkpointOf(cache, t.checkpoint), dataset: await datasetOf(cache, t.dataset), configs: t.configs, maxSamples: t.maxSamples, backend: conversionBackend(a.backend) };
  return { kind: 'conversion', checkpoint: await checkpointOf(cache, t.checkpoint), dataset: await datasetOf(cache, t.dataset), config: t.config, maxSamples: t.maxSamples, backend: conversionBackend(a.backend), resume: t.resume };
}

/**
 * Carries out `a` on `slot`. Resolves 'finished' once the server has the job's end (SUCCEEDED,
 * FAILED or CANCELLED), 'crashed' when the thread died (the caller releases the job), 'lost' when
 * the server said this worker no longer holds it.
 */
export async function executeJob(ctx: ExecuteContext, slot: WorkerSlot, a: WorkerAssignment, registerCancel: (cancel: () => void) => void): Promise<JobOutcome> {
  const { api, log } = ctx;
  const { jobId, workerId } = a;
  const envLike = { backend: ctx.backend } as Parameters<typeof trainingBackend>[1];
  // the thread's TensorFlow.js backend (training; a conversion's ONNX Runtime provider is in its task)
  const backend = a.kind === 'training' ? trainingBackend(a.backend, envLike) : ctx.backend;
  let task: Task;
  try {
    task = await taskOf(ctx.cache, a);
  } catch (err) {
    const e = err as Error;
    log(`job ${jobId}: inputs could not be fetched: ${e.message}`);
    if (e instanceof SpikelabError && (e.code === 'CONNECTION_FAILED' || e.code === 'TIMEOUT')) return 'crashed';
    await api.finish({ workerId, jobId: String(jobId), status: 'FAILED', error: `inputs could not be fetched: ${e.message}` }).catch(() => undefined);
    return 'finished';
  }
  const startedAt = Date.now();
  // the claim set the job RUNNING at progress 0: the first report comes 500 ms into the job
  let lastProgress = startedAt;
  let pendingProgress: (Progress & { etaSeconds: number | null }) | null = null;
  let iterations: { iteration: number; loss: number; lr: number }[] = [];
  let chain = Promise.resolve();
  let lost = false;
  // a sweep's shared work (calibrations, simulations) as of the last point reported
  const counted = { calibrations: 0, simulations: 0 };
  let cancelled = false;
  const cancel = (): void => {
    cancelled = true;
    slot.cancel(jobId);
  };
  registerCancel(cancel);
  const send = (work: () => Promise<void>): void => {
    chain = chain.then(async () => {
      if (lost) return;
      try {
        await work();
      } catch (err) {
        if (err instanceof SpikelabError && err.code === 'JOB_NOT_HELD') {
          lost = true;
          log(`job ${jobId}: ${err.message}; stopping it here`);
          slot.cancel(jobId);
        } else log(`job ${jobId}: report failed: ${(err as Error).message}`);
      }
    });
  };
  const report = async (extra: Omit<Parameters<WorkerApi['report']>[0], 'workerId' | 'jobId'>): Promise<void> => {
    const progress = pendingProgress;
    pendingProgress = null;
    const its = iterations;
    iterations = [];
    const ack = await api.report({ workerId, jobId: String(jobId), ...(progress && { progress: { ...progress } }), ...(its.length > 0 && { iterations: its }), ...extra });
    if (ack.cancelRequested && !cancelled) cancel();
  };
  const onMessage = (m: FromWorker): void => {
    switch (m.type) {
      case 'progress': {
        const elapsed = (Date.now() - startedAt) / 1000;
        pendingProgress = { ...m.progress, etaSeconds: m.progress.fraction > 0.005 ? (elapsed * (1 - m.progress.fraction)) / m.progress.fraction : null };
        if (Date.now() - lastProgress >= 500) {
          lastProgress = Date.now();
          send(() => report({}));
        }
        return;
      }
      case 'iteration':
        iterations.push({ iteration: m.iteration, loss: m.loss, lr: m.lr });
        if (iterations.length >= 500) send(() => report({}));
        return;
      case 'epoch':
        send(() => report({ epoch: { ...m.record } }));
        return;
      case 'batch':
        // the last batch is not committed on its own: the finish that follows at once stores the
        // whole result in one transaction (a commit now would be deleted by it)
        if (m.batch === m.batches) return;
        send(() => report({ batch: { sums: m.sums, samples: m.samples, batches: m.batches, stepMetrics: m.stepMetrics } }));
        return;
      case 'point': {
        // each finished point is stored at once (results + SUCCEEDED): a kill after it keeps it
        const runId = a.task.kind === 'sweep' ? a.task.runIds[m.index] : undefined;
        if (runId === undefined) {
          log(`job ${jobId}: the engine posted point ${m.index}, which the task does not have`);
          return;
        }
        const more = { calibrations: m.calibrations - counted.calibrations, simulations: m.simulations - counted.simulations };
        Object.assign(counted, { calibrations: m.calibrations, simulations: m.simulations });
        send(() => report({ point: { runId, ...more, result: m.result as unknown as Record<string, unknown> } }));
        return;
      }
      case 'ready':
        return;
      case 'done':
      case 'error':
        return; // handled below
    }
  };
  const end = await new Promise<{ done: Extract<FromWorker, { type: 'done' }> } | { error: Extract<FromWorker, { type: 'error' }> } | { crash: string }>((resolve) => {
    void slot.run(jobId, backend, task, {
      onMessage: (m) => {
        if (m.type === 'done') resolve({ done: m });
        else if (m.type === 'error') resolve({ error: m });
        else onMessage(m);
      },
      onCrash: (reason) => resolve({ crash: reason }),
    }, task.kind === 'conversion' || task.kind === 'sweep' ? [task.checkpoint.weights.buffer as ArrayBuffer] : task.kind === 'training' && task.init ? [task.init.weights.buffer as ArrayBuffer] : []);
  });
  await chain;
  if (lost) return 'lost';
  if ('crash' in end) {
    log(`job ${jobId}: ${end.crash}`);
    return 'crashed';
  }
  if (iterations.length > 0) await report({}).catch(() => undefined);
  try {
    if ('error' in end) {
      const status = end.error.cancelled ? 'CANCELLED' : 'FAILED';
      await api.finish({ workerId, jobId: String(jobId), status, error: end.error.cancelled ? 'cancelled' : `${end.error.name}: ${end.error.message}` });
    } else if (a.kind === 'sweep') {
      // every point was reported on its own; the server checks that none is missing
      await api.finish({ workerId, jobId: String(jobId), status: 'SUCCEEDED' });
    } else if (end.done.conversion) {
      await api.finish({ workerId, jobId: String(jobId), status: 'SUCCEEDED', conversion: end.done.conversion as unknown as Record<string, unknown> });
    } else if (end.done.training) {
      const out = end.done.training;
      const uploadId = await api.upload(out.checkpoint.weights);
      const { weightsSha256: _sha, ...manifest } = out.checkpoint.manifest;
      await api.finish({
        workerId,
        jobId: String(jobId),
        status: 'SUCCEEDED',
        training: { uploadId, manifest, metricName: out.outcome.metric, bestEpoch: out.outcome.bestEpoch, bestMetric: out.outcome.bestValMetric, backendUsed: out.backend },
      });
    } else {
      await api.finish({ workerId, jobId: String(jobId), status: 'FAILED', error: 'the worker thread returned no result' });
    }
  } catch (err) {
    if (err instanceof SpikelabError && err.code === 'JOB_NOT_HELD') return 'lost';
    throw err;
  }
  return 'finished';
}
