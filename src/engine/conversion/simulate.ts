import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Split } from '../../data/types.js';
import {
  DEFAULT_CONVERSION_CONFIG,
  type BackendName,
  type ConversionConfig,
  type ConversionResult,
  type Progress,
  type Task,
} from '../../formats/conversion.js';
import { initBackend } from '../backend/index.js';
import type { BatchSums } from '../../formats/worker.js';
import { CancelledError, InvalidConversionInputError } from '../errors.js';
import { batchRanges, imageBatch, labelSlice, seededPermutation } from './batches.js';
import { calibrate } from './calibrate.js';
import { extractGraph } from './extract.js';
import { foldBatchNorm } from './fold.js';
import { size } from './graph.js';
import { layerStats, summarise } from './report.js';
import { buildSnn, type SnnOptions, type SpikingNetwork } from './snn.js';
import { StepCollector } from './collector.js';
import { buildPanels } from './panels.js';

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
  /** Checked between steps and batches; when aborted the run throws CancelledError. */
  signal?: AbortSignal;
  /** Switch to this backend first (via initBackend); default: keep the current one. */
  backend?: BackendName;
  /** Count spikes for firing rates and SOPs (default true). */
  collectStats?: boolean;
  /** Replace per-node SNN layers (faster kernels). */
  layerFactory?: SnnOptions['layerFactory'];
  /** Segmentation: how many test images to keep as figure panels (default 4; 0 = none). */
  panels?: number;
  /**
   * Batches an earlier attempt already simulated (their BatchReport sums): they are added to the
   * totals and not simulated again, so the result counts each batch exactly once.
   */
  resume?: readonly BatchSums[];
}

/**
 * The whole method of design/conversion.md on one model: extract the graph, fold batch-norm,
 * calibrate λ per site (percentile p over calibrationBatches seeded training batches), build the
 * SNN and simulate the test set for T steps, batch by batch with all state reset in between.
 * One simulation yields the metric at every step t = 1..T, each sample weighted equally.
 * Streaming: onProgress per step and batch; onBatch gives running estimates (the value at step t
 * is only final once every batch has run); onStep(t, …) delivers the final values for t = 1..T at
 * the end. Cancellable between steps via `signal` (CancelledError). No tensor outlives the call.
 */
export async function convertAndSimulate(
  model: tfl.LayersModel,
  data: ConversionData,
  config: Partial<ConversionConfig> = {},
  opts: ConvertOptions = {},
): Promise<ConversionResult> {
  const cfg: ConversionConfig = { ...DEFAULT_CONVERSION_CONFIG, ...config };
  validateConfig(cfg);
  if (opts.backend !== undefined) await initBackend(opts.backend);
  const imageShape = inputShape(model);
  validateData(data, imageShape);
  const progress = (fraction: number, phase: string, extra: Partial<Progress> = {}): void => opts.onProgress?.({ fraction, phase, ...extra });
  const check = (where: string): void => {
    if (opts.signal?.aborted === true) throw new CancelledError(where);
  };
  const warnings: string[] = [];

  progress(0, 'extract');
  const graph = foldBatchNorm(extractGraph(model));
  const outNode = graph.nodes.find((n) => n.id === graph.output);
  if (outNode?.op.kind === 'softmax') warnings.push('softmax head: the SNN accumulates the logits before it (same argmax)');

  check('calibration');
  progress(0.01, 'calibrate');
  const perm = seededPermutation(data.calibration.count, cfg.seed);
  const calN = Math.min(cfg.calibrationBatches * cfg.batchSize, data.calibration.count);
  if (calN < cfg.calibrationBatches * cfg.batchSize) warnings.push(`calibration used ${calN} samples (fewer than ${cfg.calibrationBatches}×${cfg.batchSize})`);
  const calIdx = perm.slice(0, calN);
  function* calBatches(): Generator<tf.Tensor> {
    for (const r of batchRanges(calN, cfg.batchSize)) {
      const x = imageBatch(data.calibration, imageShape, r.map((i) => calIdx[i] as number));
      try {
        yield x;
      } finally {
        x.dispose();
      }
    }
  }
  const cal = calibrate(graph, calBatches(), { percentile: cfg.percentile, channelWise: cfg.channelWise });
  warnings.push(...cal.warnings);

  const snn = buildSnn(graph, cal.lambdas, {
    gamma: cfg.gamma,
    reset: cfg.reset,
    vInit: cfg.vInit,
    maxPool: cfg.maxPool,
    collectStats: opts.collectStats ?? true,
    ...(opts.layerFactory ? { layerFactory: opts.layerFactory } : {}),
  });
  try {
    const labelSize = data.task === 'classification' ? 1 : size(imageShape.slice(0, 2));
    const ranges = batchRanges(data.test.count, cfg.batchSize);
    const collector = new StepCollector(data.task, data.numClasses, cfg.timeSteps);

    const panelCount = data.task === 'segmentation' ? Math.min(opts.panels ?? 4, ranges[0]?.length ?? 0) : 0;
    let annPanel: Float32Array | null = null;
    let snnPanel: Float32Array | null = null;

    progress(0.04, 'ann');
    for (const r of ranges) {
      check('ANN evaluation');
      const x = imageBatch(data.test, imageShape, r);
      const y = tf.tidy(() => model.predict(x) as tf.Tensor);
      if (annPanel === null && panelCount > 0) annPanel = y.dataSync().slice(0, panelCount * labelSize) as Float32Array;
      collector.addAnn(y, labelSlice(data.test, labelSize, r));
      x.dispose();
      y.dispose();
    }

    const done = new Set<number>();
    for (const prior of opts.resume ?? []) {
      const r = ranges[prior.batch - 1];
      if (!r || r.length !== prior.samples) throw new InvalidConversionInputError(`stored batch ${prior.batch} (${prior.samples} samples) does not match this run's test batches`);
      if (done.has(prior.batch)) continue;
      collector.addBatchSums(prior);
      done.add(prior.batch);
    }
    if (done.size > 0) warnings.push(`resumed after ${done.size} of ${ranges.length} batches simulated by an earlier attempt; firing rates and SOPs are averaged over the ${data.test.count - collector.samples} samples simulated since`);
    const simulated = data.test.count - collector.samples;
    const total = ranges.length * cfg.timeSteps;
    for (let b = 0; b < ranges.length; b++) {
      if (done.has(b + 1)) continue;
      const r = ranges[b] as number[];
      const keepFinal = b === 0 && panelCount > 0 ? (acc: tf.Tensor): void => {
        const mean = tf.div(acc, cfg.timeSteps);
        snnPanel = mean.dataSync().slice(0, panelCount * labelSize) as Float32Array;
        mean.dispose();
      } : undefined;
      const sums = { value: {} as BatchSums['sums'] };
      await simulateBatch(snn, collector, sums, data.test, imageShape, labelSlice(data.test, labelSize, r), r, cfg.timeSteps, (t) => {
        check(`batch ${b + 1}, step ${t}`);
        progress(0.05 + (0.95 * (b * cfg.timeSteps + t)) / total, 'simulate', { batch: b + 1, step: t });
      }, keepFinal);
      progress(0.05 + (0.95 * (b + 1)) / ranges.length, 'simulate', { batch: b + 1, message: `batch ${b + 1}/${ranges.length} done` });
      opts.onBatch?.({ batch: b + 1, batches: ranges.length, samples: collector.samples, stepMetrics: collector.stepMetrics(), sums: sums.value, batchSamples: r.length });
    }

    const stepMetrics = collector.stepMetrics();
    const annMetrics = collector.annMetrics();
    if (opts.onStep) {
      for (let t = 1; t <= cfg.timeSteps; t++) {
        opts.onStep(t, Object.fromEntries(Object.entries(stepMetrics).map(([k, v]) => [k, v[t - 1] as number])));
      }
    }
    const stats = layerStats(snn, cal.lambdas, cfg.timeSteps, Math.max(1, simulated));
    const result: ConversionResult = {
      task: data.task,
      config: cfg,
      backend: tf.getBackend(),
      samples: data.test.count,
      annMetrics,
      stepMetrics,
      layerStats: stats,
      summary: summarise(graph, data.task, annMetrics, stepMetrics, stats),
      warnings,
    };
    if (annPanel !== null && snnPanel !== null) {
      result.panels = buildPanels(data.test.images, data.test.labels, annPanel, snnPanel, imageShape, panelCount);
    }
    progress(1, 'done');
    return result;
  } finally {
    snn.dispose();
  }
}

/** Simulates one batch for T steps and hands every step's output to the collector. */
async function simulateBatch(
  snn: SpikingNetwork,
  collector: StepCollector,
  out: { value: BatchSums['sums'] },
  split: Split,
  imageShape: readonly number[],
  labels: Float32Array,
  indices: readonly number[],
  steps: number,
  afterStep: (t: number) => void,
  onFinal?: (acc: tf.Tensor) => void,
): Promise<void> {
  const x = imageBatch(split, imageShape, indices);
  try {
    snn.reset(x);
    collector.beginBatch(labels, indices.length, imageShape);
    for (let t = 1; t <= steps; t++) {
      snn.step();
      const out = snn.output();
      collector.addStep(out, t);
      if (t === steps) onFinal?.(out);
      out.dispose();
      afterStep(t);
      // Let the event loop run so that an abort (e.g. a worker message) can arrive mid-batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    out.value = collector.endBatch();
  } finally {
    x.dispose();
    collector.discardBatch();
  }
}

function inputShape(model: tfl.LayersModel): number[] {
  const s = model.inputs[0]?.shape.slice(1) ?? [];
  if (s.length !== 3 || s.some((d) => d === null)) {
    throw new InvalidConversionInputError(`model input must be [batch, H, W, C] with known sizes, got [${model.inputs[0]?.shape.join(', ') ?? ''}]`);
  }
  return s as number[];
}

function validateConfig(c: ConversionConfig): void {
  const bad = (msg: string): never => {
    throw new InvalidConversionInputError(`invalid conversion config: ${msg}`);
  };
  if (!Number.isInteger(c.timeSteps) || c.timeSteps < 1 || c.timeSteps > 4096) bad(`timeSteps must be an integer in 1..4096, got ${c.timeSteps}`);
  if (!(c.percentile > 0 && c.percentile <= 1)) bad(`percentile must be in (0, 1], got ${c.percentile}`);
  if (!Number.isInteger(c.gamma) || c.gamma < 1) bad(`gamma must be an integer ≥ 1, got ${c.gamma}`);
  if (!Number.isInteger(c.calibrationBatches) || c.calibrationBatches < 1) bad(`calibrationBatches must be an integer ≥ 1, got ${c.calibrationBatches}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) bad(`batchSize must be an integer ≥ 1, got ${c.batchSize}`);
  if (!Number.isFinite(c.vInit)) bad(`vInit must be finite, got ${c.vInit}`);
  if (c.maxPool !== 'lipool' && c.maxPool !== 'gate') bad(`maxPool must be 'lipool' or 'gate', got ${String(c.maxPool)}`);
  if (c.reset !== 'subtract' && c.reset !== 'zero') bad(`reset must be 'subtract' or 'zero', got ${String(c.reset)}`);
}

function validateData(d: ConversionData, imageShape: readonly number[]): void {
  const per = size(imageShape);
  for (const [name, s] of [['calibration', d.calibration], ['test', d.test]] as const) {
    if (s.count < 1) throw new InvalidConversionInputError(`${name} split is empty`);
    if (s.images.length !== s.count * per) throw new InvalidConversionInputError(`${name} images hold ${s.images.length} values, expected ${s.count}×${imageShape.join('×')}`);
  }
  const labelSize = d.task === 'classification' ? 1 : size(imageShape.slice(0, 2));
  if (d.test.labels.length !== d.test.count * labelSize) throw new InvalidConversionInputError(`test labels hold ${d.test.labels.length} values, expected ${d.test.count * labelSize}`);
  if (d.task === 'segmentation' && d.numClasses !== 1) throw new InvalidConversionInputError('segmentation is binary: numClasses must be 1');
  if (d.task === 'classification' && d.numClasses < 2) throw new InvalidConversionInputError('classification needs numClasses ≥ 2');
}
