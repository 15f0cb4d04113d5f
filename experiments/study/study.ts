// The study's pipeline pieces (experiments/study/run.ts strings them together): train one zoo
// backbone on the project's training engine (tfjs), convert it on the conversion engine (ONNX
// Runtime), and keep what the report needs. Everything here is the product's own engine, called
// in-process; nothing is simulated differently from a conversion job.
import * as tf from '@tensorflow/tfjs-core';
import type { LoadedDataset, Split } from '../../src/data/types.js';
import { convertAndSimulate } from '../../src/engine/conversion/index.js';
import { trainModel } from '../../src/engine/train/index.js';
import { buildModel, describeModel } from '../../src/engine/zoo/index.js';
import type { ConversionConfig, ConversionSummary, LayerStatRecord, Progress } from '../../src/formats/conversion.js';
import type { SegmentationPanel } from '../../src/formats/compare.js';
import type { ZooModelSpec } from '../../src/formats/model.js';
import { summariseSeries, type SeriesSummary } from '../../src/formats/summary.js';
import { DEFAULT_TRAINING_CONFIG, type EpochRecord, type TrainingConfig } from '../../src/formats/training.js';

/** Display names of the study's architectures. */
export const ARCH_LABELS: Record<string, string> = {
  'cnn-small': 'CNN-small', vgg11: 'VGG-11', vgg13: 'VGG-13', vgg16: 'VGG-16', vgg18: 'VGG-18',
  resnet18: 'ResNet-18', resnet34: 'ResNet-34', resnet50: 'ResNet-50', resnet101: 'ResNet-101', unet: 'UNet',
};

export function backboneLabel(architecture: string, width: number): string {
  return `${ARCH_LABELS[architecture] ?? architecture} ×${width}`;
}

/** The zoo spec the study uses for a classification backbone (ResNets with the ImageNet stem, as the demo). */
export function classificationSpec(architecture: ZooModelSpec['architecture'], width: number, imageShape: [number, number, number], numClasses: number): ZooModelSpec {
  return {
    architecture,
    inputShape: imageShape,
    numClasses,
    widthMultiplier: width,
    ...(architecture.startsWith('resnet') ? { stem: 'imagenet' as const } : {}),
  };
}

export interface TrainingRecord {
  config: TrainingConfig;
  trainImages: number;
  validationImages: number;
  bestEpoch: number;
  /** Accuracy (classification) or soft Dice (segmentation) on the validation split. */
  bestValMetric: number;
  history: EpochRecord[];
  seconds: number;
}

export interface ConversionRecord {
  config: ConversionConfig;
  backend: string;
  samples: number;
  annMetrics: Record<string, number>;
  /** values[t-1] = metric after step t. */
  stepMetrics: Record<string, number[]>;
  summary: ConversionSummary;
  layerStats: LayerStatRecord[];
  warnings: string[];
  seconds: number;
  panels?: SegmentationPanel[];
}

export interface BackboneResult {
  label: string;
  architecture: string;
  width: number;
  family: string;
  spec: ZooModelSpec;
  parameters: number;
  macs: number;
  training: TrainingRecord;
  conversion: ConversionRecord;
}

export interface SweepCell {
  gamma: number;
  percentile: number;
  ann: number;
  /** Accuracy after each step 1..T of the sweep. */
  series: number[];
  summary: SeriesSummary;
  seconds: number;
}

export interface SweepResult {
  label: string;
  architecture: string;
  width: number;
  timeSteps: number;
  samples: number;
  cells: SweepCell[];
}

export type Log = (line: string) => void;

/** Logs a progress line at most every `every` of the fraction (and at the end). */
export function progressLogger(log: Log, prefix: string, every = 0.1): (p: Progress) => void {
  let next = 0;
  let last = '';
  return (p) => {
    if (p.fraction + 1e-9 >= next || p.fraction >= 1) {
      const line = `${prefix}: ${p.phase} ${(100 * p.fraction).toFixed(0)} %${p.epoch !== undefined ? ` (epoch ${p.epoch})` : ''}`;
      if (line !== last) log(line);
      last = line;
      next = Math.floor(p.fraction / every + 1e-9) * every + every;
    }
  };
}

/** The first `n` samples of a split (a view, no copy). */
export function headOf(split: Split, n: number, perImage: number, perLabel: number): Split {
  const count = Math.min(n, split.count);
  return { images: split.images.subarray(0, count * perImage), labels: split.labels.subarray(0, count * perLabel), count };
}

/** Trains a fresh model of `spec` on `data` (validation held out by config.validationSplit). */
export async function trainBackbone(spec: ZooModelSpec, data: LoadedDataset, config: Partial<TrainingConfig>, log: Log, prefix: string): Promise<{ model: Awaited<ReturnType<typeof buildModel>>; record: TrainingRecord }> {
  const cfg: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, ...config };
  const model = buildModel(spec, { seed: cfg.seed });
  const t0 = performance.now();
  try {
    const r = await trainModel(model, data, cfg, { onProgress: progressLogger(log, prefix, 0.25) });
    const seconds = (performance.now() - t0) / 1000;
    const validationImages = data.validation?.count ?? Math.round(data.train.count * cfg.validationSplit);
    const trainImages = data.validation ? data.train.count : data.train.count - validationImages;
    log(`${prefix}: trained in ${seconds.toFixed(1)} s, best epoch ${r.outcome.bestEpoch}, validation ${r.outcome.metric} ${r.outcome.bestValMetric.toFixed(4)}`);
    return { model, record: { config: cfg, trainImages, validationImages, bestEpoch: r.outcome.bestEpoch, bestValMetric: r.outcome.bestValMetric, history: r.history, seconds } };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Converts a trained model on ONNX Runtime: ANN and SNN on the same test samples, every step recorded. */
export async function convertBackbone(
  model: Parameters<typeof convertAndSimulate>[0],
  data: LoadedDataset,
  test: Split,
  config: Partial<ConversionConfig>,
  log: Log,
  prefix: string,
  opts: { collectStats?: boolean; panels?: number } = {},
): Promise<ConversionRecord> {
  const t0 = performance.now();
  const r = await convertAndSimulate(model, { calibration: data.train, test, task: data.task, numClasses: data.numClasses }, config, {
    onProgress: progressLogger(log, prefix, 0.25),
    ...(opts.collectStats !== undefined ? { collectStats: opts.collectStats } : {}),
    ...(opts.panels !== undefined ? { panels: opts.panels } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const s = r.summary;
  log(`${prefix}: ${s.primaryMetric} ANN ${s.annValue.toFixed(4)} → SNN ${(r.stepMetrics[s.primaryMetric]?.at(-1) ?? NaN).toFixed(4)} at T = ${r.config.timeSteps} (${seconds.toFixed(1)} s on ${r.backend})`);
  return {
    config: r.config,
    backend: r.backend,
    samples: r.samples,
    annMetrics: r.annMetrics,
    stepMetrics: r.stepMetrics,
    summary: r.summary,
    layerStats: r.layerStats,
    warnings: r.warnings,
    seconds,
    ...(r.panels ? { panels: r.panels } : {}),
  };
}

/** One classification backbone, trained then converted with `conversion` (T, p, Γ, …). */
export async function studyBackbone(
  spec: ZooModelSpec,
  data: LoadedDataset,
  test: Split,
  training: Partial<TrainingConfig>,
  conversion: Partial<ConversionConfig>,
  log: Log,
  sweep?: { gammas: number[]; percentiles: number[]; timeSteps: number; test: Split },
): Promise<{ backbone: BackboneResult; sweep: SweepResult | null }> {
  const label = backboneLabel(spec.architecture, spec.widthMultiplier);
  const d = describeModel(spec);
  const before = tf.memory().numTensors;
  const { model, record } = await trainBackbone(spec, data, training, log, `train ${label}`);
  try {
    const conv = await convertBackbone(model, data, test, conversion, log, `convert ${label}`);
    let sw: SweepResult | null = null;
    if (sweep) {
      const cells: SweepCell[] = [];
      for (const percentile of sweep.percentiles) {
        for (const gamma of sweep.gammas) {
          const c = await convertBackbone(model, data, sweep.test, { ...conversion, timeSteps: sweep.timeSteps, gamma, percentile }, log, `sweep ${label} Γ=${gamma} p=${percentile}`, { collectStats: false });
          const series = c.stepMetrics[c.summary.primaryMetric] ?? [];
          cells.push({ gamma, percentile, ann: c.summary.annValue, series, summary: summariseSeries(c.summary.annValue, series), seconds: c.seconds });
        }
      }
      sw = { label, architecture: spec.architecture, width: spec.widthMultiplier, timeSteps: sweep.timeSteps, samples: sweep.test.count, cells };
    }
    return {
      backbone: { label, architecture: spec.architecture, width: spec.widthMultiplier, family: d.family, spec, parameters: d.parameterCount, macs: d.macs, training: record, conversion: conv },
      sweep: sw,
    };
  } finally {
    model.dispose();
    const leaked = tf.memory().numTensors - before;
    if (leaked > 0) log(`warning: ${leaked} tensors left after ${label}`);
  }
}
