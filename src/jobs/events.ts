// The one event bus of the server: job changes and per-step metrics from the job runner, models as
// they are created. The runner and resolvers publish; GraphQL subscriptions and the
// runner itself (new QUEUED jobs) read. EventBus is the interface; InProcessEventBus serves one
// process (a bus across replicas, e.g. over Redis, implements the same interface).
import { EventEmitter, on } from 'node:events';
import type { Job, Model } from '../registry/records.js';

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

/** Topic → payload. Each event is published under a key (an entity id); subscribers ask for a key or '*'. */
export interface EventMap {
  job: Job;
  /**
   * A cancel was asked for job `key` (published before the database write, so that the runner
   * holding the job stops it within a batch however long that write waits behind other commits).
   */
  cancelAsked: { jobId: number };
  stepMetrics: StepMetricsEvent;
  modelCreated: Model;
}
export type Topic = keyof EventMap;

export interface EventBus {
  publish<T extends Topic>(topic: T, key: number, payload: EventMap[T]): void;
  /** Several events of one topic and key, in order: subscribers get them one by one, as from publish. */
  publishAll<T extends Topic>(topic: T, key: number, payloads: readonly EventMap[T][]): void;
  /**
   * Events of `topic` under `key` ('*' = every key), in publish order, from the moment of this
   * call (nothing published between the call and the first next() is lost). Ends when the
   * consumer returns or `signal` aborts.
   */
  subscribe<T extends Topic>(topic: T, key: number | '*', signal?: AbortSignal): AsyncIterableIterator<EventMap[T]>;
}

export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish<T extends Topic>(topic: T, key: number, payload: EventMap[T]): void {
    this.emitter.emit(`${topic}:${key}`, payload);
    this.emitter.emit(`${topic}:*`, payload);
  }

  publishAll<T extends Topic>(topic: T, key: number, payloads: readonly EventMap[T][]): void {
    for (const p of payloads) this.publish(topic, key, p);
  }

  subscribe<T extends Topic>(topic: T, key: number | '*', signal?: AbortSignal): AsyncIterableIterator<EventMap[T]> {
    const events = on(this.emitter, `${topic}:${String(key)}`, signal ? { signal } : undefined);
    const iter: AsyncIterableIterator<EventMap[T]> = {
      async next() {
        const r = await events.next();
        return r.done === true ? { done: true, value: undefined } : { done: false, value: (r.value as unknown[])[0] as EventMap[T] };
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
