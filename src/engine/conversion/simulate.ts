import type * as tfl from '@tensorflow/tfjs-layers';
import type { Split } from '../../data/types.js';
import { DEFAULT_CONVERSION_CONFIG, type ConversionBackendName, type ConversionConfig, type ConversionResult, type Progress, type Task } from '../../formats/conversion.js';
import type { BatchSums } from '../../formats/worker.js';
import type { Graph } from '../ir/graph.js';
import { calibrateFor, checker, evaluateAnn, prepare, simulateGroup, validateConfig } from './pipeline.js';

export interface ConversionData {
  /** Training samples for percentile calibration (a seeded sample of calibrationBatches batches). */
  calibration: Split;
  /** The samples the ANN and the SNN are evaluated on. */
  test: Split;
  task: Task;
  /** Classes (classification) or 1 (binary segmentation). */
  numClasses: number;
}

/** Running estimate after each simulated batch. */
export interface BatchReport {
  batch: number;
  batches: number;
  /** Test samples simulated so far. */
  samples: number;
  /** Per-step metrics over the samples so far (values[t-1] = after step t). */
  stepMetrics: Record<string, number[]>;
  /** This batch's own additive sums (ConvertOptions.resume takes them back). */
  sums: BatchSums['sums'];
  /** Test samples in this batch. */
  batchSamples: number;
}

export interface ConvertOptions {
  /** Per phase, per simulated step and per batch. */
  onProgress?(p: Progress): void;
  /** After each test batch, with running per-step estimates. */
  onBatch?(r: BatchReport): void;
  /** Final per-step metrics, called for t = 1..T once the last batch is done. */
  onStep?(t: number, metrics: Record<string, number>): void;
  /** Checked between ONNX Runtime calls and batches; when aborted the run throws CancelledError. */
  signal?: AbortSignal;
  /** ONNX Runtime execution provider (default 'auto': cuda where installed, else cpu). */
  backend?: ConversionBackendName;
  /** CPU intra-op threads (default SPIKELAB_THREADS, else every core). */
  threads?: number;
  /** K: time steps per ONNX Runtime call (default chooseStepsPerCall: up to 32, fewer for heavy models). */
  stepsPerCall?: number;
  /**
   * Samples simulated at once within a test batch (default simulationChunk: the batch, or equal
   * chunks whose states fit CHUNK_STATE_BYTES). Results do not depend on it; speed does.
   */
  chunkSamples?: number;
  /** Count spikes for firing rates and SOPs (default true). */
  collectStats?: boolean;
  /** Segmentation: how many test images to keep as figure panels (default 4; 0 = none). */
  panels?: number;
  /**
   * Batches an earlier attempt already simulated (their BatchReport sums): they are added to the
   * totals and not simulated again, so the result counts each batch exactly once.
   */
  resume?: readonly BatchSums[];
}

/**
 * The whole method of design/conversion.md on one model (a tfjs-layers model, or an IR v2 graph
 * such as an imported ONNX model): fold batch-norm, calibrate λ per site (percentile p over
 * calibrationBatches seeded training batches), build the SNN and simulate the test set for T
 * steps on ONNX Runtime, batch by batch with all state reset in between. One simulation yields the
 * metric at every step t = 1..T, each sample weighted equally. Streaming: onProgress per step and
 * batch; onBatch gives running estimates (the value at step t is only final once every batch has
 * run); onStep(t, …) delivers the final values for t = 1..T at the end. Cancellable between
 * ONNX Runtime calls via `signal` (CancelledError). The backend that ran is in the result.
 */
export async function convertAndSimulate(
  model: tfl.LayersModel | Graph,
  data: ConversionData,
  config: Partial<ConversionConfig> = {},
  opts: ConvertOptions = {},
): Promise<ConversionResult> {
  const cfg: ConversionConfig = { ...DEFAULT_CONVERSION_CONFIG, ...config };
  validateConfig(cfg, data.task);
  const progress = (fraction: number, phase: string, extra: Partial<Progress> = {}): void => opts.onProgress?.({ fraction, phase, ...extra });
  const check = checker(opts.signal);

  progress(0, 'extract');
  const p = prepare(model, data, opts);
  check('calibration');
  progress(0.01, 'calibrate');
  const { cal, warnings } = await calibrateFor(p, cfg);
  progress(0.03, 'ann');
  const ann = await evaluateAnn(p, cfg.batchSize, opts.panels ?? 4, check);
  progress(0.05, 'build');
  const [result] = await simulateGroup(p, [cfg], cal, warnings, ann, {
    check,
    progress: (f, extra) => progress(0.05 + 0.95 * f, 'simulate', extra),
    onBatch: (r) => opts.onBatch?.(r),
    ...(opts.stepsPerCall !== undefined ? { stepsPerCall: opts.stepsPerCall } : {}),
    ...(opts.chunkSamples !== undefined ? { chunkSamples: opts.chunkSamples } : {}),
    collectStats: opts.collectStats ?? true,
    ...(opts.resume !== undefined ? { resume: opts.resume } : {}),
  });
  const r = result as ConversionResult;
  if (opts.onStep) {
    for (let t = 1; t <= cfg.timeSteps; t++) opts.onStep(t, Object.fromEntries(Object.entries(r.stepMetrics).map(([k, v]) => [k, v[t - 1] as number])));
  }
  progress(1, 'done');
  return r;
}
