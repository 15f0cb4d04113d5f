// Plain, serialisable shapes of a conversion run, shared by engine, registry, jobs and client
// (tfjs-layers' keras_format/ idea). No classes, no tensors, no imports of runtime code.
import type { SegmentationPanel } from './compare.js';

export type Task = 'classification' | 'segmentation';
export type MaxPoolMode = 'lipool' | 'gate';
export type ResetMode = 'subtract' | 'zero';
/** TensorFlow.js backends: training (and, until the ONNX Runtime engine lands, conversion). */
export type BackendName = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
/** ONNX Runtime execution providers that run conversion (design/onnx-engine.md). */
export type ConversionBackendName = 'auto' | 'cpu' | 'cuda';

/** Everything that determines a conversion + simulation (design/conversion.md §6). */
export interface ConversionConfig {
  /** T: number of simulated time steps, 1..4096. */
  timeSteps: number;
  /** p: calibration percentile in (0, 1] (0.99 as in the original study). */
  percentile: number;
  /** Γ: maximum spikes per neuron per step (1 = plain IF). */
  gamma: number;
  /** One λ per channel instead of one per activation site. */
  channelWise: boolean;
  maxPool: MaxPoolMode;
  reset: ResetMode;
  /** Initial membrane as a fraction of θ. */
  vInit: number;
  /** Number of training batches used for percentile calibration (≥ 1). */
  calibrationBatches: number;
  /** Batch size for calibration and simulation. */
  batchSize: number;
  seed: number;
}

export const DEFAULT_CONVERSION_CONFIG: Readonly<ConversionConfig> = Object.freeze({
  timeSteps: 64,
  percentile: 0.99,
  gamma: 5,
  channelWise: false,
  maxPool: 'lipool',
  reset: 'subtract',
  vInit: 0,
  calibrationBatches: 1,
  batchSize: 32,
  seed: 0,
});

/** Energy constants (45 nm) stored with every result. */
export const ENERGY_PJ = Object.freeze({ ac: 0.9, mac: 4.6 });

/** Per activation site statistics (one row of LayerStat). */
export interface LayerStatRecord {
  /** Stable name of the activation site, e.g. "block1/conv2/relu#1". */
  site: string;
  /** 'if' for a spiking population, 'lipool' / 'gate' for a converted max-pool. */
  kind: 'if' | 'lipool' | 'gate';
  neurons: number;
  /** λ (layer-wise) or the mean λ (channel-wise); min/max given for channel-wise. */
  lambda: number;
  lambdaMin: number;
  lambdaMax: number;
  /** Spikes per neuron per step, averaged over the simulated samples and steps. */
  firingRate: number;
  /** Synaptic operations per sample over the whole simulation. */
  sops: number;
}

export interface ConversionSummary {
  /** Name of the metric that summarises the run: 'accuracy' or 'softDice'. */
  primaryMetric: string;
  annValue: number;
  best: number;
  bestStep: number;
  /** First step with |ANN − SNN| ≤ 0.01 (absolute), or null. */
  firstStepWithin1: number | null;
  /** ANN − SNN at step T. */
  lossAtT: number;
  /** SOPs per sample for the whole simulation (all sites). */
  sops: number;
  /** ANN multiply-accumulates per sample, one forward pass. */
  annMacs: number;
  /** (SOPs·E_AC)/(MACs·E_MAC). */
  energyRatio: number;
  eAcPj: number;
  eMacPj: number;
}

export interface ConversionResult {
  task: Task;
  config: ConversionConfig;
  /** The backend that actually ran. */
  backend: string;
  samples: number;
  /** ANN metrics on the same test subset, by name. */
  annMetrics: Record<string, number>;
  /** SNN metrics by name: values[t-1] is the metric after step t, for t = 1..T. */
  stepMetrics: Record<string, number[]>;
  layerStats: LayerStatRecord[];
  summary: ConversionSummary;
  warnings: string[];
  /** Segmentation only: a few test images with label, ANN and SNN (step T) probability maps. */
  panels?: SegmentationPanel[];
  /** Calibrated λ per activation site (one value, or one per channel): with the config, what rebuilds the SNN for export. */
  lambdas?: Record<string, number[]>;
}

/** Progress reported by long engine work (training or simulation). */
export interface Progress {
  /** 0..1 of the whole job. */
  fraction: number;
  phase: string;
  epoch?: number;
  step?: number;
  batch?: number;
  message?: string;
}
