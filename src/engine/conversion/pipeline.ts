// The stages of a conversion, shared by convertAndSimulate (one config) and convertSweep (many):
// prepare the graph once, calibrate once per calibration key, evaluate the ANN once per batch
// size, simulate once per distinct SNN for the largest T of its group.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Split } from '../../data/types.js';
import { taskConfigIssues, type ConversionBackendName, type ConversionConfig, type ConversionResult, type Progress, type Task } from '../../formats/conversion.js';
import { CancelledError, InvalidConversionInputError } from '../errors.js';
import { extractGraph } from '../ir/from-tfjs.js';
import { size, splitHybrid, type AnalogHead, type Graph, type GraphNode } from '../ir/graph.js';
import { AnnRunner } from '../ort/ann-runner.js';
import { resolveBackend, type ResolvedBackend } from '../ort/session.js';
import { batchRanges, labelSlice, nchwBatch, seededPermutation } from './batches.js';
import { calibrate, type Calibration, type CalibrationBatch } from './calibrate.js';
import { readoutAt, StepCollector } from './collector.js';
import { EarlyExitTracker } from './early-exit.js';
import { foldBatchNorm } from './fold.js';
import { buildPanels } from './panels.js';
import { layerStatsFrom, summarise } from './report.js';
import { chooseStepsPerCall, chunksOf, simulationChunk, SpikingNetwork } from './snn.js';
import { planSnn } from './snn-plan.js';
import { annMacs } from './sops.js';
import type { BatchSums } from '../../formats/worker.js';
import type { BatchReport, ConversionData } from './simulate.js';

/** The model and data, checked and prepared once for any number of configs. */
export interface Prepared {
  readonly original: Graph;
  /** Batch-norm folded; of a hybrid model, the spiking body (its output: the last activation site). */
  readonly graph: Graph;
  /** A hybrid model's analog head (evaluated each step on the running mean of the body's output), or null. */
  readonly head: AnalogHead | null;
  readonly data: ConversionData;
  /** Values per sample of the output: 1 (classification) or the mask's pixels. */
  readonly perSample: number;
  /** [H, W, C] of image inputs, null for vectors. */
  readonly hwc: [number, number, number] | null;
  readonly backend: ResolvedBackend;
  readonly ortOpts: { backend: ResolvedBackend['backend']; threads: number };
  /** Warnings of the model itself (every run of it gets them). */
  readonly warnings: readonly string[];
  batchOf(split: Split, idx: readonly number[]): Float32Array;
}

/** Throws CancelledError when `signal` fired. */
export function checker(signal: AbortSignal | undefined): (where: string) => void {
  return (where) => {
    if (signal?.aborted === true) throw new CancelledError(where);
  };
}

export function prepare(model: tfl.LayersModel | Graph, data: ConversionData, opts: { backend?: ConversionBackendName; threads?: number }): Prepared {
  const backend = resolveBackend({ ...(opts.backend !== undefined ? { backend: opts.backend } : {}), ...(opts.threads !== undefined ? { threads: opts.threads } : {}) });
  const original = 'nodes' in model ? model : extractGraph(model);
  const inNode = original.nodes.find((n) => n.id === original.input) as GraphNode;
  const hwc = imageLayout(inNode.shape);
  validateData(data, inNode.shape);
  const { body: graph, head } = splitHybrid(foldBatchNorm(original));
  const outNode = original.nodes.find((n) => n.id === original.output) as GraphNode;
  const warnings = outNode.op.kind === 'softmax' ? ['softmax head: the SNN accumulates the logits before it (same argmax)'] : [];
  if (head !== null) {
    if (data.task !== 'classification') throw new InvalidConversionInputError('a hybrid model (analog head) is converted for classification only');
    warnings.push(`hybrid: the analog head (${head.ops.join(', ')}) runs on ONNX Runtime each step on the running mean of site '${graph.output}'; its ops are not spiking and not counted in SOPs or MACs`);
  }
  const perSample = data.task === 'classification' ? 1 : size(outNode.shape);
  if (data.test.labels.length !== data.test.count * perSample) {
    throw new InvalidConversionInputError(`test labels hold ${data.test.labels.length} values, expected ${data.test.count} × ${perSample}`);
  }
  const per = size(inNode.shape);
  return {
    original,
    graph,
    head,
    data,
    perSample,
    hwc,
    backend,
    ortOpts: { backend: backend.backend, threads: backend.threads },
    warnings,
    batchOf: (split, idx) => (hwc === null ? rows(split, per, idx) : nchwBatch(split, hwc, idx)),
  };
}

/** The fields of a config that determine its calibration (Γ only where it clips the calibration). */
export function calibrationKey(c: ConversionConfig): string {
  return JSON.stringify([c.percentile, c.channelWise, c.calibrationClip, c.calibrationClip === 'gamma' ? c.gamma : null, c.calibrationBatches, c.seed, c.batchSize]);
}

/** The fields that determine the simulated SNN and its readout: the whole config but T. */
export function snnKey(c: ConversionConfig): string {
  const { timeSteps: _t, ...rest } = c;
  return JSON.stringify(Object.entries(rest).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** λ per site from `calibrationBatches` seeded training batches; warnings where fewer samples were there. */
export async function calibrateFor(p: Prepared, cfg: ConversionConfig): Promise<{ cal: Calibration; warnings: string[] }> {
  const { data } = p;
  const warnings: string[] = [];
  const perm = seededPermutation(data.calibration.count, cfg.seed);
  const calN = Math.min(cfg.calibrationBatches * cfg.batchSize, data.calibration.count);
  if (calN < cfg.calibrationBatches * cfg.batchSize) warnings.push(`calibration used ${calN} samples (fewer than ${cfg.calibrationBatches}×${cfg.batchSize})`);
  const calIdx = perm.slice(0, calN);
  const batches = function* (): Generator<CalibrationBatch> {
    for (const r of batchRanges(calN, cfg.batchSize)) yield { x: p.batchOf(data.calibration, r.map((i) => calIdx[i] as number)), batch: r.length };
  };
  const clip = cfg.calibrationClip === 'gamma' ? { clipAt: cfg.gamma } : {};
  const cal = await calibrate(p.graph, batches(), { percentile: cfg.percentile, channelWise: cfg.channelWise, ...clip }, p.ortOpts);
  warnings.push(...cal.warnings);
  return { cal, warnings };
}

/** ANN metrics on the test set (batches of `batchSize`) and the first images' output for panels. */
export interface AnnEvaluation {
  readonly metrics: Record<string, number>;
  readonly panel: Float32Array | null;
  readonly panelCount: number;
}

export async function evaluateAnn(p: Prepared, batchSize: number, panels: number, check: (where: string) => void): Promise<AnnEvaluation> {
  const { data } = p;
  const ranges = batchRanges(data.test.count, batchSize);
  const panelCount = data.task === 'segmentation' ? Math.min(panels, ranges[0]?.length ?? 0) : 0;
  const collector = new StepCollector(data.task, data.numClasses, 1, p.perSample);
  let panel: Float32Array | null = null;
  const ann = await AnnRunner.create(p.original, p.ortOpts);
  try {
    for (const r of ranges) {
      check('ANN evaluation');
      const { output } = await ann.run(p.batchOf(data.test, r), r.length);
      if (panel === null && panelCount > 0) panel = output.slice(0, panelCount * p.perSample);
      collector.addAnn(output, labelSlice(data.test, p.perSample, r), r.length);
    }
  } finally {
    await ann.release();
  }
  return { metrics: collector.annMetrics(), panel, panelCount };
}

export interface GroupOptions {
  check(where: string): void;
  /** f in [0, 1] of this group's simulation, per step and batch. */
  progress(f: number, extra: Partial<Progress>): void;
  onBatch?(r: BatchReport): void;
  stepsPerCall?: number;
  /** Samples simulated at once (ConvertOptions.chunkSamples). */
  chunkSamples?: number;
  collectStats: boolean;
  /** Batches an earlier attempt simulated (ConvertOptions.resume): added to the totals, not simulated again. */
  resume?: readonly BatchSums[];
}

/**
 * Simulates one SNN (configs equal but for T) once for T_max = the largest T, and returns one
 * result per config, in order: per-step metrics cut at its T, spike totals (for firing rates and
 * SOPs) read at exactly step T of every batch (a call ends there), panels of step T.
 */
export async function simulateGroup(
  p: Prepared,
  configs: readonly ConversionConfig[],
  cal: Calibration,
  calWarnings: readonly string[],
  ann: AnnEvaluation,
  o: GroupOptions,
): Promise<ConversionResult[]> {
  const { data, graph } = p;
  const base = configs[0] as ConversionConfig;
  const tMax = Math.max(...configs.map((c) => c.timeSteps));
  const ends = [...new Set(configs.map((c) => c.timeSteps))].sort((a, b) => a - b);
  const logits = data.task === 'segmentation' && base.readout === 'mean-logit';
  const rule = { patience: base.earlyExitPatience ?? null, margin: base.earlyExitMargin ?? null };
  const exits = data.task === 'classification' && (rule.patience !== null || rule.margin !== null) ? new EarlyExitTracker(rule, data.numClasses, ends) : null;
  const plan = planSnn(logits ? logitGraph(graph) : graph, cal.lambdas, {
    gamma: base.gamma,
    reset: base.reset,
    vInit: base.vInit,
    maxPool: base.maxPool,
    collectStats: o.collectStats,
    sampleSops: exits !== null,
  });
  const ranges = batchRanges(data.test.count, base.batchSize);
  const collector = new StepCollector(data.task, data.numClasses, tMax, p.perSample, base.readout);
  const done = new Set<number>();
  for (const prior of o.resume ?? []) {
    const r = ranges[prior.batch - 1];
    if (!r || r.length !== prior.samples) throw new InvalidConversionInputError(`stored batch ${prior.batch} (${prior.samples} samples) does not match this run's test batches`);
    if (done.has(prior.batch)) continue;
    collector.addBatchSums(prior);
    done.add(prior.batch);
  }
  const resumeWarnings: string[] = [];
  if (done.size > 0) {
    resumeWarnings.push(
      `resumed after ${done.size} of ${ranges.length} batches simulated by an earlier attempt; firing rates and SOPs${exits !== null ? ' and the early-exit record' : ''} are averaged over the ${data.test.count - collector.samples} samples simulated since`,
    );
  }
  const simulated = data.test.count - collector.samples;
  const totals = new Map<number, Map<string, Float64Array>>(ends.map((t) => [t, new Map()]));
  const snnPanels = new Map<number, Float32Array>();
  // a batch is simulated in chunks whose states fit the caches (simulationChunk), one after the
  // other for all T steps; the first chunk holds the panel samples
  if (o.chunkSamples !== undefined && !(Number.isInteger(o.chunkSamples) && o.chunkSamples >= 1)) throw new InvalidConversionInputError(`chunkSamples must be an integer ≥ 1, got ${o.chunkSamples}`);
  // (a GPU takes the whole batch)
  const chunk =
    o.chunkSamples !== undefined ? Math.max(o.chunkSamples, ann.panelCount) : p.backend.backend === 'cpu' ? simulationChunk(plan, base.batchSize, p.backend.threads, ann.panelCount) : base.batchSize;
  const stepsPerCall = o.stepsPerCall ?? chooseStepsPerCall(tMax, annMacs(graph) * chunk);
  const snn = await SpikingNetwork.create(plan, { ...p.ortOpts, stepsPerCall, head: p.head });
  try {
    for (let b = 0; b < ranges.length; b++) {
      if (done.has(b + 1)) continue;
      const r = ranges[b] as number[];
      let sums: BatchSums['sums'] = {};
      const labels = labelSlice(data.test, p.perSample, r);
      collector.beginBatch(labels, r.length);
      exits?.beginBatch(labels, r.length);
      try {
        const parts = chunksOf(r, chunk);
        for (let c = 0; c < parts.length; c++) {
          const part = parts[c] as { offset: number; indices: number[] };
          o.check(`batch ${b + 1}, step 1`);
          await snn.reset(p.batchOf(data.test, part.indices), part.indices.length);
          while (snn.t < tMax) {
            const nextEnd = ends.find((t) => t > snn.t) as number;
            const outs = await snn.run(Math.min(snn.stepsPerCall, nextEnd - snn.t));
            const t0 = snn.t - outs.length;
            outs.forEach((acc, i) => {
              const t = t0 + i + 1;
              collector.addStep(acc, t, part.offset);
              exits?.addStep(acc, t, snn.stepSops[i] as Float32Array, part.offset);
              if (b === 0 && part.offset === 0 && ann.panelCount > 0 && totals.has(t)) snnPanels.set(t, readoutAt(acc.slice(0, ann.panelCount * p.perSample), t, base.readout));
              o.progress((b + (c * tMax + t) / (parts.length * tMax)) / ranges.length, { batch: b + 1, step: t });
            });
            const sums = totals.get(snn.t);
            if (sums !== undefined) addTotals(sums, await snn.batchTotals());
            if (snn.t < tMax) o.check(`batch ${b + 1}, step ${snn.t + 1}`);
          }
        }
        sums = collector.endBatch();
        exits?.endBatch();
      } finally {
        collector.discardBatch();
        exits?.discardBatch();
      }
      o.progress((b + 1) / ranges.length, { batch: b + 1, message: `batch ${b + 1}/${ranges.length} done` });
      o.onBatch?.({ batch: b + 1, batches: ranges.length, samples: collector.samples, stepMetrics: collector.stepMetrics(), sums, batchSamples: r.length });
    }
  } finally {
    await snn.release();
  }
  const full = collector.stepMetrics();
  const lambdas = Object.fromEntries([...cal.lambdas].map(([k, v]) => [k, Array.from(v)]));
  return configs.map((cfg) => {
    const T = cfg.timeSteps;
    const stepMetrics = Object.fromEntries(Object.entries(full).map(([k, v]) => [k, v.slice(0, T)]));
    const stats = layerStatsFrom(plan, o.collectStats ? (totals.get(T) as Map<string, Float64Array>) : null, cal.lambdas, T, Math.max(1, simulated));
    const result: ConversionResult = {
      task: data.task,
      config: { ...cfg },
      backend: p.backend.backend,
      samples: data.test.count,
      annMetrics: { ...ann.metrics },
      stepMetrics,
      layerStats: stats,
      summary: summarise(graph, data.task, ann.metrics, stepMetrics, stats),
      warnings: [...p.warnings, ...calWarnings, ...resumeWarnings],
      lambdas,
    };
    if (p.head !== null) result.hybrid = { analogOps: [...p.head.ops], site: graph.output };
    if (exits !== null) result.earlyExit = exits.record(T, result.summary.sops, result.summary.annMacs);
    const snnPanel = snnPanels.get(T);
    if (ann.panel !== null && snnPanel !== undefined) {
      result.panels = buildPanels(data.test.images, data.test.labels, ann.panel, snnPanel, p.hwc ?? [1, 1, 1], ann.panelCount);
    }
    return result;
  });
}

/**
 * The graph whose output is the segmentation head's logit: the sigmoid at the output removed, so
 * the SNN accumulates Σ_{τ≤t} logit_τ (ANN units) for the mean-logit readout.
 */
export function logitGraph(graph: Graph): Graph {
  const out = graph.nodes.find((n) => n.id === graph.output) as GraphNode;
  if (out.op.kind !== 'sigmoid') throw new InvalidConversionInputError(`readout mean-logit needs a sigmoid head; the output '${out.id}' is ${out.op.kind}`);
  return { ...graph, nodes: graph.nodes.filter((n) => n !== out), output: out.inputs[0] as string };
}

function addTotals(sums: Map<string, Float64Array>, batch: ReadonlyMap<string, Float32Array>): void {
  for (const [id, data] of batch) {
    let acc = sums.get(id);
    if (acc === undefined) {
      acc = new Float64Array(data.length);
      sums.set(id, acc);
    }
    for (let i = 0; i < data.length; i++) acc[i] = (acc[i] as number) + (data[i] as number);
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

export function validateConfig(c: ConversionConfig, task: Task): void {
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
  if (c.calibrationClip !== 'none' && c.calibrationClip !== 'gamma') bad(`calibrationClip must be 'none' or 'gamma', got ${String(c.calibrationClip)}`);
  if (c.readout !== 'mean-probability' && c.readout !== 'mean-logit') bad(`readout must be 'mean-probability' or 'mean-logit', got ${String(c.readout)}`);
  const p = c.earlyExitPatience;
  const m = c.earlyExitMargin;
  if (p !== undefined && (!Number.isInteger(p) || p < 1)) bad(`earlyExitPatience must be an integer ≥ 1, got ${p}`);
  if (m !== undefined && !(Number.isFinite(m) && m >= 0)) bad(`earlyExitMargin must be a finite number ≥ 0, got ${m}`);
  const misplaced = taskConfigIssues(c, task)[0];
  if (misplaced !== undefined) bad(`${misplaced.path} ${misplaced.message}`);
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
