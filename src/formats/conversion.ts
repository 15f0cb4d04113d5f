// Plain, serialisable shapes of a conversion run, shared by engine, registry, jobs and client
// (tfjs-layers' keras_format/ idea), and the one table of the conversion config. No classes, no tensors.
import type { SegmentationPanel } from './compare.js';
import { INT32, tableDefaults, tableSchema, type FieldIssue, type FieldTable, type TableInput, type TableValue } from './fields.js';

export const TASKS = ['classification', 'segmentation'] as const;
export type Task = (typeof TASKS)[number];

/** TensorFlow.js backends: training (and, until the ONNX Runtime engine lands, conversion). */
export const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
/** ONNX Runtime execution providers that run conversion (design/onnx-engine.md). */
export const CONVERSION_BACKENDS = ['auto', 'cpu', 'cuda'] as const;
export type ConversionBackendName = (typeof CONVERSION_BACKENDS)[number];

/**
 * Everything that determines a conversion + simulation (design/conversion.md §6): the one table of
 * its fields, defaults (as in the original study) and bounds.
 */
export const CONVERSION_CONFIG_FIELDS = {
  timeSteps: { type: 'int', min: 1, max: 4096, default: 64, description: 'T: simulated time steps' },
  percentile: { type: 'number', min: 0, minExclusive: true, max: 1, default: 0.99, description: 'p: calibration percentile (0.99 as in the original study)' },
  gamma: { type: 'int', min: 1, max: 1024, default: 5, description: 'Γ: maximum spikes per neuron per step (1 = plain IF)' },
  channelWise: { type: 'boolean', default: false, description: 'One λ per channel instead of one per activation site' },
  maxPool: { type: 'choice', choices: ['lipool', 'gate'], default: 'lipool', description: 'Max-pool conversion: lipool (lateral inhibition) or gate (the ablation)' },
  reset: { type: 'choice', choices: ['subtract', 'zero'], default: 'subtract', description: 'Membrane reset after a spike: by subtraction or to zero' },
  vInit: { type: 'number', min: -1, max: 1, default: 0, description: 'Initial membrane potential as a fraction of θ' },
  calibrationBatches: { type: 'int', min: 1, max: 100000, default: 1, description: 'Training batches used for percentile calibration' },
  batchSize: { type: 'int', min: 1, max: 65536, default: 32, description: 'Batch size for calibration and simulation' },
  seed: { type: 'int', ...INT32, default: 0, description: 'Seed of every random choice' },
  calibrationClip: {
    type: 'choice',
    choices: ['none', 'gamma'],
    default: 'none',
    description: 'Calibration clip: none, or gamma (activations clipped at Γ, in ANN units, while calibrating, as the reference converter does; the clipped values feed later sites)',
  },
  readout: {
    type: 'choice',
    choices: ['mean-probability', 'mean-logit'],
    default: 'mean-probability',
    description: "Segmentation readout at step t: mean-probability (the running mean of the head's per-step sigmoids) or mean-logit (the sigmoid of the running mean of its logits)",
  },
  earlyExitPatience: { type: 'int', min: 1, max: 4096, description: 'Early exit (classification): a sample stops once its top-1 class has been the same for this many consecutive steps' },
  earlyExitMargin: { type: 'number', min: 0, max: 1000000, description: 'Early exit (classification): a sample stops once the top-1 minus top-2 of its mean logits (ANN units) exceeds this margin' },
} as const satisfies FieldTable;

export type ConversionConfig = TableValue<typeof CONVERSION_CONFIG_FIELDS>;
export type ConversionConfigInput = TableInput<typeof CONVERSION_CONFIG_FIELDS>;
export type MaxPoolMode = ConversionConfig['maxPool'];
export type ResetMode = ConversionConfig['reset'];
export type CalibrationClip = ConversionConfig['calibrationClip'];
export type SegmentationReadout = ConversionConfig['readout'];

/** Bounded: what a new conversion may ask for (defaults filled in). */
export const conversionConfigSchema = tableSchema(CONVERSION_CONFIG_FIELDS);
/** Structural: the config of a stored run (also rows written before a bound was tightened). */
export const storedConversionConfigSchema = tableSchema(CONVERSION_CONFIG_FIELDS, 'stored');

export const DEFAULT_CONVERSION_CONFIG: Readonly<ConversionConfig> = tableDefaults(CONVERSION_CONFIG_FIELDS);

/**
 * Options that only one task can use: the segmentation readout, and early exit (classification).
 * One issue per misplaced option (empty when the config fits the task); the registry refuses such
 * a request before queueing it, the engine before converting.
 */
export function taskConfigIssues(c: Pick<ConversionConfig, 'readout' | 'earlyExitPatience' | 'earlyExitMargin'>, task: Task): FieldIssue[] {
  const out: FieldIssue[] = [];
  if (task === 'classification' && c.readout !== CONVERSION_CONFIG_FIELDS.readout.default) {
    out.push({ path: 'readout', message: `${c.readout} applies to segmentation only (classification predicts the argmax of the accumulated logits)` });
  }
  if (task === 'segmentation') {
    for (const k of ['earlyExitPatience', 'earlyExitMargin'] as const) {
      if (c[k] !== undefined && c[k] !== null) out.push({ path: k, message: 'early exit applies to classification only (a segmentation map has no single prediction to stabilise)' });
    }
  }
  return out;
}

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
  /** First step t with SNN_t ≥ ANN − 0.01 (firstStepWithin, src/formats/summary.ts), or null. */
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
  /** Runs with an early-exit rule: the outcome had every sample stopped at its exit step. */
  earlyExit?: EarlyExitRecord;
  /**
   * Hybrid runs (a model whose ops after the last activation site no spiking neuron computes): the
   * spiking body ends at that site; the analog head, these ONNX op types, was evaluated each step on
   * the running mean of the site's output (in ANN units) by ONNX Runtime.
   */
  hybrid?: HybridRecord;
}

export interface HybridRecord {
  /** The distinct ONNX op types of the analog head, in first-use order. */
  analogOps: string[];
  /** The activation site the head reads. */
  site: string;
}

/**
 * Adaptive early exit (classification), beside the fixed-T curve: every sample is still simulated
 * to T (the curve stays complete); each sample's exit step e is the first step at which its rule
 * held (T when it never did), and it is scored and charged as if it had stopped there.
 */
export interface EarlyExitRecord {
  /** The rules that were on (a sample exits at the first step where either holds). */
  patience: number | null;
  margin: number | null;
  /** Top-1 accuracy of the predictions at each sample's exit step. */
  accuracy: number;
  /** Mean exit step over the samples. */
  meanSteps: number;
  /** stepsHistogram[t-1] = samples whose exit step is t (t = 1..T; a sample that never met a rule counts at T). */
  stepsHistogram: number[];
  /** Samples that met a rule before or at T (the others ran to T). */
  exited: number;
  /** SOPs per sample actually spent: Σ over sites and the steps up to each sample's exit step of spikes × fan-out, averaged over samples. */
  sops: number;
  /** SOPs per sample of the fixed-T run (summary.sops), for comparison. */
  fixedSops: number;
  /** (sops·E_AC)/(MACs·E_MAC), as summary.energyRatio. */
  energyRatio: number;
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
