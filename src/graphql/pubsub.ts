// In-process PubSub for type-graphql subscriptions (one server process). publish(topic, payload)
// or publish(topic, id, payload) for per-entity topics (subscribe(topic, id)).
import { EventEmitter, on } from 'node:events';
import type { PubSub } from 'type-graphql';

export const TOPICS = {
  MODEL_CREATED: 'MODEL_CREATED',
  DATASET_REGISTERED: 'DATASET_REGISTERED',
} as const;

export function createPubSub(): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const channel = (topic: string, id: unknown): string => (id === undefined ? topic : `${topic}:${JSON.stringify(id)}`);
  return {
    publish(topic: string, ...args: unknown[]): void {
      if (args.length >= 2) emitter.emit(channel(topic, args[0]), args[1]);
      else emitter.emit(topic, args[0]);
    },
    subscribe(topic: string, id?: unknown): AsyncIterable<unknown> {
      // attach the listener now, not at the first next(), so nothing published meanwhile is lost
      const events = on(emitter, channel(topic, id));
      async function* payloads(): AsyncGenerator<unknown> {
        for await (const args of events) yield (args as unknown[])[0];
      }
      return payloads();
    },
  };
}
