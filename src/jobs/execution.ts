// What the runner needs to carry out one job kind: the task for the worker, and how its messages
// are persisted. One file per kind implements it (training-job.ts, conversion-job.ts, sweep-job.ts).
import { CONVERSION_BACKENDS, type BackendName, type ConversionBackendName } from '../formats/index.js';
import type { Job } from '../registry/records.js';
import type { Registry } from '../registry/registry.js';
import type { EventBus } from './events.js';
import type { FromWorker, Task } from './messages.js';

export interface JobEnv {
  registry: Registry;
  events: EventBus;
  /** The server's configured backend (SPIKELAB_BACKEND), used when a run asks for 'auto'. */
  backend: BackendName;
  log: (...args: unknown[]) => void;
}

export type DoneMessage = Extract<FromWorker, { type: 'done' }>;

export interface Execution {
  task: Task;
  transfer: ArrayBuffer[];
  /** The worker thread's TensorFlow.js backend (training; loading tfjs checkpoints for conversion). */
  backend: BackendName;
  /**
   * Every message as it arrives, before the ones ahead of it are handled (synchronous: it may
   * stream or buffer, never write): conversions stream a batch's estimate and buffer its commit.
   */
  receive?(m: FromWorker): void;
  /** Metrics messages (iteration, epoch, batch, point), in order. */
  onMessage(m: FromWorker): Promise<void>;
  /** Stores the result and marks job + run SUCCEEDED (one transaction for the run's results). */
  succeed(m: DoneMessage): Promise<void>;
  /** Marks job + run FAILED or CANCELLED, keeping partial metrics. */
  abort(status: 'FAILED' | 'CANCELLED', error: string): Promise<void>;
}

/** The TensorFlow.js backend of a training run: its own, or the server's for 'auto'. */
export function trainingBackend(requested: string, env: JobEnv): BackendName {
  return (requested === 'auto' ? env.backend : requested) as BackendName;
}

/**
 * The ONNX Runtime execution provider a conversion run asked for (auto, cpu, cuda). Rows written
 * before conversion moved onto ONNX Runtime hold a TensorFlow.js backend name: they run on 'auto'.
 */
export function conversionBackend(requested: string): ConversionBackendName {
  return (CONVERSION_BACKENDS as readonly string[]).includes(requested) ? (requested as ConversionBackendName) : 'auto';
}

export type Prepare = (env: JobEnv, job: Job) => Promise<Execution>;
