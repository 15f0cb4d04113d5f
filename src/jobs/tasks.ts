// The compute a worker thread does for each task kind. Runs inside the worker only: it loads the
// engine and data, reports through `post`, and stops between batches once `signal` fires.
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '../data/index.js';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoint/index.js';
import { convertAndSimulate, convertSweep, planSweep } from '../engine/index.js';
import { trainModel } from '../engine/train/index.js';
import { buildModel } from '../engine/zoo/index.js';
import type { CheckpointManifest, ConversionConfig, Progress } from '../formats/index.js';
import type { ConversionTask, FromWorker, SweepTask, TrainingTask, ValidateTask } from './messages.js';
import { loadConvertible } from './onnx-tasks.js';

type Post = (m: FromWorker, transfer?: ArrayBuffer[]) => void;

/** A conversion's progress reaches the runner at most this often (the engine reports every step). */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Posts a conversion's progress: step reports at most every PROGRESS_INTERVAL_MS, and always a new
 * phase's first report, one with a message (a batch done) and the last. A message report carries
 * the latest step, and does not hold back the next step report: when batches take less than the
 * interval, their messages would otherwise be all that is posted. (A message per simulated step,
 * thousands per job, kept the receiving thread and the garbage collector busy.)
 */
export function progressPoster(jobId: number, post: Post, now: () => number = () => performance.now()): (p: Progress) => void {
  let last = -Infinity;
  let phase: string | null = null;
  let step: number | undefined;
  const send = (progress: Progress): void => post({ type: 'progress', jobId, progress: progress.step === undefined && step !== undefined ? { ...progress, step } : progress });
  return (progress) => {
    const t = now();
    if (progress.phase !== phase) {
      phase = progress.phase;
      step = progress.step;
      last = t;
      send(progress);
      return;
    }
    if (progress.step !== undefined) step = progress.step;
    if (progress.message !== undefined || progress.fraction >= 1) {
      send(progress);
      return;
    }
    if (t - last < PROGRESS_INTERVAL_MS) return;
    last = t;
    send(progress);
  };
}

export async function runTraining(jobId: number, t: TrainingTask, post: Post, signal: AbortSignal, check: () => void): Promise<void> {
  const data = await loadDataset(t.dataset);
  const model = t.init ? await loadCheckpoint(t.init) : buildModel(t.modelSpec, { seed: t.config.seed });
  try {
    const result = await trainModel(model, data, t.config, {
      signal,
      onIteration: (iteration, loss, lr) => {
        check();
        post({ type: 'iteration', jobId, iteration, loss, lr });
      },
      onEpoch: (record) => post({ type: 'epoch', jobId, record }),
      onProgress: (progress) => {
        check();
        post({ type: 'progress', jobId, progress });
      },
    });
    const ckpt = await saveCheckpoint(model, t.modelSpec);
    post({ type: 'done', jobId, training: { checkpoint: ckpt, outcome: result.outcome, backend: tf.getBackend() } }, [ckpt.weights.buffer as ArrayBuffer]);
  } finally {
    model.dispose();
  }
}

export async function runConversion(jobId: number, t: ConversionTask, post: Post, signal: AbortSignal, check: () => void): Promise<void> {
  const data = await loadDataset(t.dataset, t.maxSamples != null ? { maxTest: t.maxSamples } : {});
  const loaded = await loadConvertible(t.checkpoint);
  const progress = progressPoster(jobId, post);
  try {
    const result = await convertAndSimulate(loaded.model, { calibration: data.train, test: data.test, task: data.task, numClasses: data.numClasses }, t.config, {
      signal,
      backend: t.backend,
      onProgress: (p) => {
        check();
        progress(p);
      },
      onBatch: (r) => post({ type: 'batch', jobId, batch: r.batch, batches: r.batches, samples: r.samples, stepMetrics: r.stepMetrics, sums: { batch: r.batch, samples: r.batchSamples, sums: r.sums } }),
      resume: t.resume,
    });
    post({ type: 'done', jobId, conversion: result });
  } finally {
    loaded.dispose();
  }
}

/** A config in a few words, for progress messages. */
function describeConfig(c: ConversionConfig): string {
  return `T ${c.timeSteps}, p ${c.percentile}, Γ ${c.gamma}, ${c.maxPool}, reset ${c.reset}${c.channelWise ? ', channel-wise' : ''}${c.calibrationClip === 'gamma' ? ', clip Γ' : ''}`;
}

/**
 * A sweep job: every config on one checkpoint through the engine's convertSweep, which shares
 * calibrations and simulations between them; each result is posted as soon as it is complete. The
 * calibrations and simulations the engine ran are counted from its progress ('calibrate' once per
 * calibration, 'build' once per simulation), and the message names the points being simulated
 * (from planSweep, the engine's own grouping).
 */
export async function runSweep(jobId: number, t: SweepTask, post: Post, signal: AbortSignal, check: () => void): Promise<void> {
  const data = await loadDataset(t.dataset, t.maxSamples != null ? { maxTest: t.maxSamples } : {});
  const loaded = await loadConvertible(t.checkpoint);
  const groups = planSweep(t.configs).calibrations.flatMap((k) => k.simulations);
  let running = '';
  let done = 0;
  const work = { calibrations: 0, simulations: 0 };
  try {
    await convertSweep(loaded.model, { calibration: data.train, test: data.test, task: data.task, numClasses: data.numClasses }, t.configs, {
      signal,
      backend: t.backend,
      onProgress: (progress) => {
        check();
        if (progress.phase === 'calibrate') work.calibrations++;
        if (progress.phase === 'build') {
          const ids = groups[work.simulations] ?? [];
          work.simulations++;
          const longest = ids.reduce((a, i) => (t.configs[i]!.timeSteps > t.configs[a]!.timeSteps ? i : a), ids[0] ?? 0);
          running = ids.length === 0 ? '' : `point${ids.length > 1 ? 's' : ''} ${ids.map((i) => i + 1).join(', ')} of ${t.configs.length} (${describeConfig(t.configs[longest]!)}${ids.length > 1 ? ', shorter T cut from it' : ''})`;
        }
        const parts = [progress.message, progress.phase === 'simulate' || progress.phase === 'build' ? running : '', `${done}/${t.configs.length} points done`].filter((x) => x);
        post({ type: 'progress', jobId, progress: { ...progress, message: parts.join(' · ') } });
      },
      onResult: (index, result) => {
        done++;
        post({ type: 'point', jobId, index, result, ...work });
      },
    });
    post({ type: 'done', jobId });
  } finally {
    loaded.dispose();
  }
}

export async function validateWeights(jobId: number, t: ValidateTask, post: Post): Promise<void> {
  const model = buildModel(t.spec);
  try {
    let manifest: Omit<CheckpointManifest, 'weightsSha256'>;
    if (t.format === 'safetensors') {
      const { importSafetensors } = await import('../engine/checkpoint/index.js');
      importSafetensors(model, t.weights);
      manifest = { format: 'safetensors', spec: t.spec, weightSpecs: model.weights.map((w) => ({ name: w.originalName, shape: [...(w.shape as number[])], dtype: 'float32' as const })), createdAt: new Date().toISOString() };
    } else {
      const { createHash } = await import('node:crypto');
      const weightSpecs = t.weightSpecs ?? [];
      const full: CheckpointManifest = { format: 'tfjs-layers', spec: t.spec, weightSpecs, weightsSha256: createHash('sha256').update(t.weights).digest('hex'), createdAt: new Date().toISOString() };
      const { loadWeightsInto } = await import('../engine/checkpoint/index.js');
      await loadWeightsInto(model, { manifest: full, weights: t.weights });
      const { weightsSha256: _sha, ...rest } = full;
      manifest = rest;
    }
    post({ type: 'done', jobId, manifest });
  } finally {
    model.dispose();
  }
}
