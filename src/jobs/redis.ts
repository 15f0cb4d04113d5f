// Redis connections: the options BullMQ and ioredis take from a redis:// URL, and the event bus
// across server replicas (Redis pub/sub behind the one EventBus interface of events.ts).
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { type EventBus, type EventMap, InProcessEventBus, type Topic } from './events.js';

/** What ioredis and BullMQ take (a type alias, not an interface: BullMQ's options have an index signature). */
export type RedisConnection = {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: object;
  maxRetriesPerRequest: null;
  retryStrategy: (times: number) => number;
};

/** ioredis options for a redis:// or rediss:// URL (BullMQ's workers need maxRetriesPerRequest: null). */
export function redisOptions(url: string): RedisConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`SPIKELAB_QUEUE "${url}" is not a URL (expected redis://host:port[/db])`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`SPIKELAB_QUEUE "${url}" must start with redis:// or rediss://`);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username && { username: decodeURIComponent(u.username) }),
    ...(u.password && { password: decodeURIComponent(u.password) }),
    ...(db && { db: Number(db) }),
    ...(u.protocol === 'rediss:' && { tls: {} }),
    maxRetriesPerRequest: null,
    // a restarted Redis comes back: keep trying, at most every 2 s
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
}

const CHANNEL = 'spikelab:events';
const DATE_KEY = /At$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** JSON.parse with the records' timestamps (…At fields) back as Dates. */
function revive(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => (DATE_KEY.test(key) && typeof value === 'string' && ISO.test(value) ? new Date(value) : value));
}

/**
 * The event bus across replicas: publish goes to one Redis channel; every replica (this one too)
 * receives it on its subscriber connection and hands it to its local subscribers in order. While
 * Redis is unreachable, events are queued by ioredis and sent once it is back.
 */
export class RedisEventBus implements EventBus {
  private readonly local = new InProcessEventBus();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly errors = new EventEmitter();

  private constructor(url: string, log: (...args: unknown[]) => void) {
    const opts = { ...redisOptions(url), maxRetriesPerRequest: null };
    this.pub = new Redis(opts);
    this.sub = new Redis(opts);
    for (const c of [this.pub, this.sub]) c.on('error', (err: Error) => log('event bus (Redis):', err.message));
    this.sub.on('message', (_channel: string, text: string) => {
      try {
        // one event (publish) or several of one topic and key (publishAll: a run's T final steps)
        const m = revive(text) as { topic: Topic; key: number; payload?: EventMap[Topic]; payloads?: EventMap[Topic][] };
        if (m.payloads) this.local.publishAll(m.topic, m.key, m.payloads);
        else this.local.publish(m.topic, m.key, m.payload!);
      } catch (err) {
        log('event bus: unreadable message dropped:', (err as Error).message);
      }
    });
    this.errors.setMaxListeners(0);
  }

  /** Connects and subscribes (ioredis re-subscribes by itself after a reconnect). */
  static async open(url: string, log: (...args: unknown[]) => void): Promise<RedisEventBus> {
    const bus = new RedisEventBus(url, log);
    await bus.sub.subscribe(CHANNEL);
    return bus;
  }

  publish<T extends Topic>(topic: T, key: number, payload: EventMap[T]): void {
    void this.pub.publish(CHANNEL, JSON.stringify({ topic, key, payload })).catch(() => undefined);
  }

  /** One Redis message for all of them (a run's T final steps are one publish, not T). */
  publishAll<T extends Topic>(topic: T, key: number, payloads: readonly EventMap[T][]): void {
    if (payloads.length > 0) void this.pub.publish(CHANNEL, JSON.stringify({ topic, key, payloads })).catch(() => undefined);
  }

  subscribe<T extends Topic>(topic: T, key: number | '*', signal?: AbortSignal): AsyncIterableIterator<EventMap[T]> {
    return this.local.subscribe(topic, key, signal);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}
