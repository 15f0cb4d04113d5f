// What the runner needs to carry out one job kind: the task for the worker, and how its messages
// are persisted. One file per kind implements it (training-job.ts, conversion-job.ts, sweep-job.ts).
import type { BackendName, ConversionBackendName } from '../formats/index.js';
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
  backend: BackendName;
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
 * The backend a conversion runs on. Conversion runs ask for an ONNX Runtime execution provider
 * (ConversionBackendName); until the ONNX Runtime engine replaces the TensorFlow.js one in
 * src/engine/conversion, it maps to a TensorFlow.js backend: 'cpu' → the server's
 * backend when that is a CPU one, else wasm; 'cuda' and 'auto' → the server's backend. Rows older
 * than the ONNX vocabulary hold a TensorFlow.js name, used as is. Replace this function when the
 * ONNX Runtime engine lands.
 */
export function conversionBackend(requested: string, env: JobEnv): BackendName {
  const server = env.backend;
  switch (requested as ConversionBackendName | BackendName) {
    case 'auto':
    case 'cuda':
      return server;
    case 'cpu':
      return server === 'cpu' || server === 'wasm' ? server : 'wasm';
    case 'tensorflow':
    case 'webgpu':
    case 'wasm':
      return requested as BackendName;
  }
}

export type Prepare = (env: JobEnv, job: Job) => Promise<Execution>;
