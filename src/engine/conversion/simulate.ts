import type * as tfl from '@tensorflow/tfjs-layers';
import type { Split } from '../../data/types.js';
import {
  DEFAULT_CONVERSION_CONFIG,
  type ConversionBackendName,
  type ConversionConfig,
  type ConversionResult,
  type Progress,
  type Task,
} from '../../formats/conversion.js';
import type { BatchSums } from '../../formats/worker.js';
import { CancelledError, InvalidConversionInputError } from '../errors.js';
import { extractGraph } from '../ir/from-tfjs.js';
import { size, type Graph, type GraphNode } from '../ir/graph.js';
import { AnnRunner } from '../ort/ann-runner.js';
import { resolveBackend } from '../ort/session.js';
import { batchRanges, labelSlice, nchwBatch, seededPermutation } from './batches.js';
import { calibrate, type CalibrationBatch } from './calibrate.js';
import { StepCollector } from './collector.js';
import { foldBatchNorm } from './fold.js';
import { buildPanels } from './panels.js';
import { layerStats, summarise } from './report.js';
import { chooseStepsPerCall, SpikingNetwork } from './snn.js';
import { annMacs } from './sops.js';
import { planSnn } from './snn-plan.js';

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
  validateConfig(cfg);
  const progress = (fraction: number, phase: string, extra: Partial<Progress> = {}): void => opts.onProgress?.({ fraction, phase, ...extra });
  const check = (where: string): void => {
    if (opts.signal?.aborted === true) throw new CancelledError(where);
  };
  const backend = resolveBackend({ ...(opts.backend !== undefined ? { backend: opts.backend } : {}), ...(opts.threads !== undefined ? { threads: opts.threads } : {}) });
  const ortOpts = { backend: backend.backend, threads: backend.threads };
  const warnings: string[] = [];

  progress(0, 'extract');
  const original = 'nodes' in model ? model : extractGraph(model);
  const inNode = original.nodes.find((n) => n.id === original.input) as GraphNode;
  const hwc = imageLayout(inNode.shape);
  validateData(data, inNode.shape);
  const graph = foldBatchNorm(original);
  const outNode = graph.nodes.find((n) => n.id === graph.output) as GraphNode;
  if (outNode.op.kind === 'softmax') warnings.push('softmax head: the SNN accumulates the logits before it (same argmax)');
  const batchOf = (split: Split, idx: readonly number[]): Float32Array => (hwc === null ? rows(split, size(inNode.shape), idx) : nchwBatch(split, hwc, idx));

  check('calibration');
  progress(0.01, 'calibrate');
  const perm = seededPermutation(data.calibration.count, cfg.seed);
  const calN = Math.min(cfg.calibrationBatches * cfg.batchSize, data.calibration.count);
  if (calN < cfg.calibrationBatches * cfg.batchSize) warnings.push(`calibration used ${calN} samples (fewer than ${cfg.calibrationBatches}×${cfg.batchSize})`);
  const calIdx = perm.slice(0, calN);
  const calBatches = function* (): Generator<CalibrationBatch> {
    for (const r of batchRanges(calN, cfg.batchSize)) yield { x: batchOf(data.calibration, r.map((i) => calIdx[i] as number)), batch: r.length };
  };
  const cal = await calibrate(graph, calBatches(), { percentile: cfg.percentile, channelWise: cfg.channelWise }, ortOpts);
  warnings.push(...cal.warnings);

  const plan = planSnn(graph, cal.lambdas, { gamma: cfg.gamma, reset: cfg.reset, vInit: cfg.vInit, maxPool: cfg.maxPool, collectStats: opts.collectStats ?? true });
  const perSample = data.task === 'classification' ? 1 : size(outNode.shape);
  if (data.test.labels.length !== data.test.count * perSample) {
    throw new InvalidConversionInputError(`test labels hold ${data.test.labels.length} values, expected ${data.test.count} × ${perSample}`);
  }
  const ranges = batchRanges(data.test.count, cfg.batchSize);
  const collector = new StepCollector(data.task, data.numClasses, cfg.timeSteps, perSample);
  const panelCount = data.task === 'segmentation' ? Math.min(opts.panels ?? 4, ranges[0]?.length ?? 0) : 0;
  let annPanel: Float32Array | null = null;
  let snnPanel: Float32Array | null = null;

  progress(0.03, 'ann');
  const ann = await AnnRunner.create(original, ortOpts);
  try {
    for (const r of ranges) {
      check('ANN evaluation');
      const { output } = await ann.run(batchOf(data.test, r), r.length);
      if (annPanel === null && panelCount > 0) annPanel = output.slice(0, panelCount * perSample);
      collector.addAnn(output, labelSlice(data.test, perSample, r), r.length);
    }
  } finally {
    await ann.release();
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

  progress(0.05, 'build');
  const stepsPerCall = opts.stepsPerCall ?? chooseStepsPerCall(cfg.timeSteps, annMacs(graph) * cfg.batchSize);
  const snn = await SpikingNetwork.create(plan, { ...ortOpts, stepsPerCall });
  try {
    const total = ranges.length * cfg.timeSteps;
    for (let b = 0; b < ranges.length; b++) {
      if (done.has(b + 1)) continue;
      const r = ranges[b] as number[];
      let sums: BatchSums['sums'] = {};
      check(`batch ${b + 1}, step 1`);
      await snn.reset(batchOf(data.test, r), r.length);
      collector.beginBatch(labelSlice(data.test, perSample, r), r.length);
      try {
        while (snn.t < cfg.timeSteps) {
          const outs = await snn.run(Math.min(snn.stepsPerCall, cfg.timeSteps - snn.t));
          const t0 = snn.t - outs.length;
          outs.forEach((acc, i) => {
            const t = t0 + i + 1;
            collector.addStep(acc, t);
            if (t === cfg.timeSteps && b === 0 && panelCount > 0) snnPanel = acc.slice(0, panelCount * perSample).map((v) => v / t);
            progress(0.05 + (0.95 * (b * cfg.timeSteps + t)) / total, 'simulate', { batch: b + 1, step: t });
          });
          if (snn.t < cfg.timeSteps) check(`batch ${b + 1}, step ${snn.t + 1}`);
        }
        sums = collector.endBatch();
      } finally {
        collector.discardBatch();
      }
      progress(0.05 + (0.95 * (b + 1)) / ranges.length, 'simulate', { batch: b + 1, message: `batch ${b + 1}/${ranges.length} done` });
      opts.onBatch?.({ batch: b + 1, batches: ranges.length, samples: collector.samples, stepMetrics: collector.stepMetrics(), sums, batchSamples: r.length });
    }

    const stepMetrics = collector.stepMetrics();
    const annMetrics = collector.annMetrics();
    if (opts.onStep) {
      for (let t = 1; t <= cfg.timeSteps; t++) {
        opts.onStep(t, Object.fromEntries(Object.entries(stepMetrics).map(([k, v]) => [k, v[t - 1] as number])));
      }
    }
    const stats = await layerStats(snn, cal.lambdas, cfg.timeSteps, Math.max(1, simulated));
    const result: ConversionResult = {
      task: data.task,
      config: cfg,
      backend: backend.backend,
      samples: data.test.count,
      annMetrics,
      stepMetrics,
      layerStats: stats,
      summary: summarise(graph, data.task, annMetrics, stepMetrics, stats),
      warnings,
      lambdas: Object.fromEntries([...cal.lambdas].map(([k, v]) => [k, Array.from(v)])),
    };
    if (annPanel !== null && snnPanel !== null) {
      result.panels = buildPanels(data.test.images, data.test.labels, annPanel, snnPanel, hwc ?? [1, 1, 1], panelCount);
    }
    progress(1, 'done');
    return result;
  } finally {
    await snn.release();
  }
}

/** [H, W, C] of the data's images for an NCHW graph input, or null for vector inputs. */
function imageLayout(shape: readonly number[]): [number, number, number] | null {
  if (shape.length === 1) return null;
  if (shape.length !== 3) throw new InvalidConversionInputError(`model input must be an image [C, H, W] or a vector, got [${shape.join(', ')}]`);
  const [c, h, w] = shape as [number, number, number];
  return [h, w, c];
}

/** Rows of a split whose samples are vectors. */
function rows(split: Split, per: number, idx: readonly number[]): Float32Array {
  const out = new Float32Array(idx.length * per);
  idx.forEach((k, i) => out.set(split.images.subarray(k * per, (k + 1) * per), i * per));
  return out;
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

function validateData(d: ConversionData, inShape: readonly number[]): void {
  const per = size(inShape);
  for (const [name, s] of [['calibration', d.calibration], ['test', d.test]] as const) {
    if (s.count < 1) throw new InvalidConversionInputError(`${name} split is empty`);
    if (s.images.length !== s.count * per) throw new InvalidConversionInputError(`${name} images hold ${s.images.length} values, expected ${s.count} × [${inShape.join(', ')}] (the model's input)`);
  }
  if (d.task === 'segmentation' && d.numClasses !== 1) throw new InvalidConversionInputError('segmentation is binary: numClasses must be 1');
  if (d.task === 'classification' && d.numClasses < 2) throw new InvalidConversionInputError('classification needs numClasses ≥ 2');
}
