// Messages between the job runner (main thread) and its worker threads. Plain data only
// (structured clone); weights travel as transferable Uint8Arrays.
import type { BackendName, BatchSums, CheckpointManifest, ConversionBackendName, ConversionConfig, ConversionResult, DatasetSpec, EpochRecord, ModelFamily, OnnxOrigin, Progress, Task as ModelTask, TrainingConfig, TrainingOutcome, ZooModelSpec } from '../formats/index.js';

/**
 * Slots of the Int32Array over the SharedArrayBuffer a runner shares with its worker thread:
 * the cancel flag (read synchronously by the engine's callbacks), the number of ONNX Runtime calls
 * the thread is inside, and whether the thread is closing (no new native call may start).
 */
export const FLAG = { cancel: 0, inNative: 1, closing: 2 } as const;
export const FLAG_SLOTS = 3;

export interface CheckpointPayload {
  manifest: CheckpointManifest;
  weights: Uint8Array;
}

export interface TrainingTask {
  kind: 'training';
  modelSpec: ZooModelSpec;
  dataset: DatasetSpec;
  config: TrainingConfig;
  init: CheckpointPayload | null;
}

export interface ConversionTask {
  kind: 'conversion';
  checkpoint: CheckpointPayload;
  dataset: DatasetSpec;
  config: ConversionConfig;
  maxSamples: number | null;
  /** ONNX Runtime execution provider of the simulation. */
  backend: ConversionBackendName;
  /** Batches committed by earlier attempts: not simulated again (ConvertOptions.resume). */
  resume: BatchSums[];
}

/** Several configs on one checkpoint and data set (a sweep job); each result is posted as a 'point' as soon as it is complete. */
export interface SweepTask {
  kind: 'sweep';
  checkpoint: CheckpointPayload;
  dataset: DatasetSpec;
  configs: ConversionConfig[];
  maxSamples: number | null;
  /** ONNX Runtime execution provider of the simulations. */
  backend: ConversionBackendName;
}

/** Checks weights against the model `spec` builds (importCheckpoint); answers with the manifest. */
export interface ValidateTask {
  kind: 'validate';
  spec: ZooModelSpec;
  format: CheckpointManifest['format'];
  weights: Uint8Array;
  /** tfjs-layers only: the weight specs of the payload. */
  weightSpecs: CheckpointManifest['weightSpecs'] | null;
}

/** Reads an ONNX file into the engine's graph and describes it (importOnnxModel); answers with `onnx`. */
export interface OnnxInspectTask {
  kind: 'onnx-inspect';
  bytes: Uint8Array;
  /** [height, width, channels] where the graph leaves them symbolic (checked against fixed dims). */
  inputShape: [number, number, number] | null;
  /** Checked against the graph's class count. */
  numClasses: number | null;
}

/** What the registry stores about an imported ONNX model, derived from its graph. */
export interface OnnxDescription {
  /** [height, width, channels] of one image, as the data readers give it. */
  inputShape: [number, number, number];
  task: ModelTask;
  numClasses: number;
  family: ModelFamily;
  parameterCount: number;
  macs: number;
  reluSites: number;
  outputShape: number[];
  origin: OnnxOrigin;
}

/** A standalone ONNX file of a checkpoint's ANN, or (snn given) of a finished run's SNN; answers with `exported`. */
export interface ExportTask {
  kind: 'export';
  checkpoint: CheckpointPayload;
  snn: { lambdas: Record<string, number[]>; config: ConversionConfig } | null;
}

export interface ExportedFile {
  bytes: Uint8Array;
  /** The file's contract (also in its `spikelab.contract` metadata). */
  contract: Record<string, unknown>;
}

export type Task = TrainingTask | ConversionTask | SweepTask | ValidateTask | OnnxInspectTask | ExportTask;

export type ToWorker =
  | { type: 'run'; jobId: number; backend: BackendName; task: Task }
  | { type: 'cancel'; jobId: number };

export interface TrainingOutput {
  checkpoint: CheckpointPayload;
  outcome: TrainingOutcome;
  backend: string;
}

export type FromWorker =
  | { type: 'ready'; backend: string; /** which backend runs and why, in one line */ summary: string }
  | { type: 'progress'; jobId: number; progress: Progress }
  | { type: 'iteration'; jobId: number; iteration: number; loss: number; lr: number }
  | { type: 'epoch'; jobId: number; record: EpochRecord }
  | { type: 'batch'; jobId: number; batch: number; batches: number; samples: number; stepMetrics: Record<string, number[]>; sums: BatchSums }
  /** Sweep: config `index` of the task is complete; calibrations / simulations the engine ran so far in this task. */
  | { type: 'point'; jobId: number; index: number; result: ConversionResult; calibrations: number; simulations: number }
  | { type: 'done'; jobId: number; training?: TrainingOutput; conversion?: ConversionResult; manifest?: Omit<CheckpointManifest, 'weightsSha256'>; onnx?: OnnxDescription; exported?: ExportedFile }
  | { type: 'error'; jobId: number; message: string; name: string; cancelled: boolean };
