// The Redis job queue (BullMQ), used instead of the in-process runner when SPIKELAB_QUEUE is set.
// The Job table stays the source of truth for status and results; the queue only carries the work
// to remote workers (`spikelab worker --queue`): priorities, retries with backoff, stalled-job
// detection (a worker whose lock lapses gets its job handed to another), cancellation of queued
// jobs. Every server replica keeps the queue in step with the table: a QUEUED job is added (its
// BullMQ id is `job-<id>`, so adding it twice is a no-op), a job whose worker died is requeued in
// the table and so added again; after Redis loses its data (a restart without persistence) the next
// sync puts every queued job back. Claiming stays an atomic compare-and-set in the table
// (src/jobs/remote.ts), so a job delivered twice still runs once.
import { Queue } from 'bullmq';
import { QUEUE_NAME } from '../formats/index.js';
import type { Job } from '../registry/records.js';
import type { JobEnv } from './execution.js';
import { redisOptions } from './redis.js';

export interface QueueOptions {
  /** How often the table and the queue are brought in step, and dead workers' jobs requeued (default 2 s). */
  syncMs?: number;
}

/** BullMQ priorities: 1 is the highest; the table's priority runs -100..100, higher first. */
export function queuePriority(priority: number): number {
  return 101 - Math.max(-100, Math.min(100, priority));
}

export const queueJobId = (id: number): string => `job-${id}`;

/** The job kinds the queue carries: every kind a remote worker runs. */
const QUEUED_KINDS: readonly string[] = ['training', 'conversion', 'sweep'];

/** Every this-many syncs re-add every queued job, whatever the counts say (see sync). */
const FULL_SYNC_EVERY = 15;

export class RedisJobQueue {
  readonly queue: Queue;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private syncing: Promise<void> | null = null;
  private stopped = false;
  private syncs = 0;

  constructor(
    url: string,
    private readonly env: JobEnv,
    /** Whether the worker holding a RUNNING job is gone (src/jobs/liveness.ts). */
    private readonly isDead: (workerId: string | null, heartbeatAt: Date | null) => boolean,
    private readonly opts: QueueOptions = {},
  ) {
    this.queue = new Queue(QUEUE_NAME, { connection: redisOptions(url) });
    // ioredis reconnects by itself; a Redis restart must not crash the server
    this.queue.on('error', (err) => this.env.log('job queue (Redis):', err.message));
  }

  async start(): Promise<void> {
    const events = this.env.events.subscribe('job', '*');
    this.unsubscribe = () => void events.return?.();
    void (async () => {
      for await (const job of events) {
        if (job.status === 'QUEUED') void this.add(job);
        else if (job.status === 'CANCELLED') void this.queue.remove(queueJobId(job.id)).catch(() => undefined);
      }
    })();
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.opts.syncMs ?? 2000);
    this.timer.unref();
  }

  /** Puts a queued job on the queue (a no-op when it is there already). */
  async add(job: Job): Promise<void> {
    if (!QUEUED_KINDS.includes(job.kind)) return;
    try {
      await this.queue.add('job', { jobId: job.id }, {
        jobId: queueJobId(job.id),
        priority: queuePriority(job.priority),
        attempts: job.maxAttempts,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      });
    } catch (err) {
      this.env.log(`job queue: could not add job ${job.id}:`, (err as Error).message);
    }
  }

  /**
   * Requeues jobs of dead workers in the table, then adds every queued job to the queue. The adds
   * (a Redis script each, and the queued rows read) are skipped while the queue holds at least as
   * many jobs as the table has queued ones for it: nothing can be missing then, unless an entry of
   * a job that is no longer queued hides it, which the full pass every FULL_SYNC_EVERY syncs mends.
   */
  sync(): Promise<void> {
    if (this.syncing || this.stopped) return this.syncing ?? Promise.resolve();
    this.syncing = (async () => {
      try {
        const { jobs } = this.env.registry;
        const { requeued, failed } = await jobs.recover(this.isDead);
        for (const id of [...requeued, ...failed]) this.env.events.publish('job', id, await jobs.get(id));
        if (this.syncs++ % FULL_SYNC_EVERY !== 0 && requeued.length === 0) {
          const [inTable, counts] = await Promise.all([jobs.countQueued(QUEUED_KINDS), this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active')]);
          if (Object.values(counts).reduce((a, b) => a + b, 0) >= inTable) return;
        }
        for (const job of await jobs.queued()) await this.add(job);
      } catch (err) {
        this.env.log('job queue sync failed:', (err as Error).message);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.syncing;
    await this.queue.close();
  }
}
