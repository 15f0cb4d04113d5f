// The job runner's in-process event bus. The GraphQL subscription layer reads it; src/jobs never
// imports GraphQL. Listeners attach when subscribe() is called, so nothing published between the
// call and the first next() is lost.
import { EventEmitter, on } from 'node:events';
import type { Job } from '../registry/db.js';

/** Per-step metrics of a conversion run as the simulation produces them. */
export interface StepMetricsEvent {
  runId: number;
  /**
   * false: running estimate after a test batch (series holds every step 1..T over the samples so
   * far). true: the final value of `step` (values by metric name), sent for t = 1..T once the last
   * batch is done and the run's results are committed.
   */
  final: boolean;
  step: number | null;
  values: Record<string, number> | null;
  series: Record<string, number[]> | null;
  batch: number | null;
  batches: number | null;
  samples: number | null;
  /** Last event of the run (it ended: succeeded, failed or cancelled). */
  done: boolean;
}

interface EventMap {
  job: Job;
  stepMetrics: StepMetricsEvent;
}

export class JobEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emitJob(job: Job): void {
    this.emitter.emit(`job:${job.id}`, job);
    this.emitter.emit('job:*', job);
  }

  emitStepMetrics(e: StepMetricsEvent): void {
    this.emitter.emit(`stepMetrics:${e.runId}`, e);
  }

  /** Events of one job / one run; `id` '*' = every job. Ends when the consumer returns. */
  subscribe<K extends keyof EventMap>(kind: K, id: number | '*', signal?: AbortSignal): AsyncIterableIterator<EventMap[K]> {
    const events = on(this.emitter, `${kind}:${String(id)}`, signal ? { signal } : undefined);
    const iter: AsyncIterableIterator<EventMap[K]> = {
      async next() {
        const r = await events.next();
        return r.done === true ? { done: true, value: undefined } : { done: false, value: (r.value as unknown[])[0] as EventMap[K] };
      },
      async return() {
        await events.return?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return iter;
      },
    };
    return iter;
  }
}
