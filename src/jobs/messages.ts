// Messages between the job runner (main thread) and its worker threads. Plain data only
// (structured clone); weights travel as transferable Uint8Arrays.
import type { BackendName, BatchSums, CheckpointManifest, ConversionConfig, ConversionResult, DatasetSpec, EpochRecord, ModelSpec, Progress, TrainingConfig, TrainingOutcome } from '../formats/index.js';

export interface CheckpointPayload {
  manifest: CheckpointManifest;
  weights: Uint8Array;
}

export interface TrainingTask {
  kind: 'training';
  modelSpec: ModelSpec;
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
  /** Batches committed by earlier attempts: not simulated again (ConvertOptions.resume). */
  resume: BatchSums[];
}

/** Checks weights against the model `spec` builds (importCheckpoint); answers with the manifest. */
export interface ValidateTask {
  kind: 'validate';
  spec: ModelSpec;
  format: CheckpointManifest['format'];
  weights: Uint8Array;
  /** tfjs-layers only: the weight specs of the payload. */
  weightSpecs: CheckpointManifest['weightSpecs'] | null;
}

export type Task = TrainingTask | ConversionTask | ValidateTask;

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
  | { type: 'done'; jobId: number; training?: TrainingOutput; conversion?: ConversionResult; manifest?: Omit<CheckpointManifest, 'weightsSha256'> }
  | { type: 'error'; jobId: number; message: string; name: string; cancelled: boolean };
