// The compute a worker thread does for each task kind. Runs inside the worker only: it loads the
// engine and data, reports through `post`, and stops between batches once `signal` fires.
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '../data/index.js';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoint/index.js';
import { convertAndSimulate } from '../engine/index.js';
import { trainModel } from '../engine/train/index.js';
import { buildModel } from '../engine/zoo/index.js';
import type { CheckpointManifest } from '../formats/index.js';
import type { ConversionTask, FromWorker, TrainingTask, ValidateTask } from './messages.js';
import { loadConvertible } from './onnx-tasks.js';

type Post = (m: FromWorker, transfer?: ArrayBuffer[]) => void;

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
  try {
    const result = await convertAndSimulate(loaded.model, { calibration: data.train, test: data.test, task: data.task, numClasses: data.numClasses }, t.config, {
      signal,
      backend: t.backend,
      onProgress: (progress) => {
        check();
        post({ type: 'progress', jobId, progress });
      },
      onBatch: (r) => post({ type: 'batch', jobId, batch: r.batch, batches: r.batches, samples: r.samples, stepMetrics: r.stepMetrics, sums: { batch: r.batch, samples: r.batchSamples, sums: r.sums } }),
      resume: t.resume,
    });
    post({ type: 'done', jobId, conversion: result });
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
