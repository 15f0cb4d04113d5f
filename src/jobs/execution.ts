// What the runner needs to carry out one job kind: the task for the worker, and how its messages
// are persisted. One file per kind implements it (training-job.ts, conversion-job.ts).
import type { BackendName } from '../formats/index.js';
import type { Job } from '../registry/db.js';
import type { Registry } from '../registry/registry.js';
import type { RunServices } from '../registry/run-services.js';
import type { JobEvents } from './events.js';
import type { FromWorker, Task } from './messages.js';

export interface JobEnv {
  registry: Registry;
  services: RunServices;
  events: JobEvents;
  /** The server's configured backend (SPIKELAB_BACKEND), used when a run asks for 'auto'. */
  backend: BackendName;
  log: (...args: unknown[]) => void;
}

export type DoneMessage = Extract<FromWorker, { type: 'done' }>;

export interface Execution {
  task: Task;
  transfer: ArrayBuffer[];
  backend: BackendName;
  /** Metrics messages (iteration, epoch, batch), in order. */
  onMessage(m: FromWorker): Promise<void>;
  /** Stores the result and marks job + run SUCCEEDED (one transaction for the run's results). */
  succeed(m: DoneMessage): Promise<void>;
  /** Marks job + run FAILED or CANCELLED, keeping partial metrics. */
  abort(status: 'FAILED' | 'CANCELLED', error: string): Promise<void>;
}

export function pickBackend(requested: string, env: JobEnv): BackendName {
  return (requested === 'auto' ? env.backend : requested) as BackendName;
}

export type Prepare = (env: JobEnv, job: Job) => Promise<Execution>;
