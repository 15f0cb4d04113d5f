// The job runner: takes queued jobs from the Job table and runs each in a pool of worker threads,
// persisting progress (throttled), heartbeats and results through the registry and publishing every
// change on the event bus. On start it recovers jobs a dead server left RUNNING; a worker that dies
// mid-job gets its job requeued (attempts < maxAttempts) or failed.
import { hostname } from 'node:os';
import type { BackendName, Progress } from '../formats/index.js';
import type { Job } from '../registry/records.js';
import { prepareConversion } from './conversion-job.js';
import { prepareSweep } from './sweep-job.js';
import type { Execution, JobEnv, Prepare } from './execution.js';
import type { FromWorker } from './messages.js';
import { deadWorkerCheck } from './liveness.js';
import { WorkerSlot } from './slot.js';
import { prepareTraining } from './training-job.js';

export interface RunnerOptions {
  /** Worker threads (SPIKELAB_WORKERS, default 1). */
  workers: number;
  /** Heartbeat / cancel-poll / stale-check period (default 5 s). */
  heartbeatMs?: number;
  /** A RUNNING job of another process with no heartbeat for this long is taken as dead (default 60 s). */
  staleMs?: number;
  /** Least interval between two progress writes of one job (default 500 ms). */
  progressWriteMs?: number;
  /**
   * The job kinds this runner takes (default: every kind). With SPIKELAB_QUEUE the remote workers
   * take every job and the server's runner none ([]).
   */
  kinds?: readonly string[];
}

const PREPARE: Record<string, Prepare> = { training: prepareTraining, conversion: prepareConversion, sweep: prepareSweep };

interface Active {
  job: Job;
  slot: WorkerSlot;
  exec: Execution | null;
  startedAt: number;
  lastWrite: number;
  chain: Promise<void>;
  ended: boolean;
  /** Cancellation asked before the worker had the task. */
  cancelAsked: boolean;
}

export class JobRunner {
  private readonly slots: WorkerSlot[];
  private readonly active = new Map<number, Active>();
  /** Worker ids between claiming a job and registering it as active. */
  private readonly claiming = new Set<string>();
  private readonly host = hostname();
  private timer: NodeJS.Timeout | null = null;
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;
  /** A job is dead when its worker was a thread of a process on this host that is gone (or this process, not running it), or its heartbeat is stale. */
  readonly isDead: (workerId: string | null, heartbeatAt: Date | null) => boolean;

  constructor(
    private readonly env: JobEnv,
    private readonly opts: RunnerOptions,
  ) {
    this.isDead = deadWorkerCheck(
      this.host,
      (workerId) => this.claiming.has(workerId) || [...this.active.values()].some((a) => this.workerId(a.slot) === workerId),
      opts.staleMs ?? 60_000,
    );
    this.slots = Array.from({ length: Math.max(1, opts.workers) }, (_, i) => new WorkerSlot(i, env.backend, env.log));
  }

  private workerId(slot: WorkerSlot): string {
    return `${this.host}/${process.pid}/${slot.index}`;
  }

  async start(): Promise<{ requeued: number[]; failed: number[] }> {
    const recovered = await this.env.registry.jobs.recover(this.isDead);
    for (const id of [...recovered.requeued, ...recovered.failed]) this.publish(await this.env.registry.jobs.get(id));
    const jobs = this.env.events.subscribe('job', '*');
    const cancels = this.env.events.subscribe('cancelAsked', '*');
    this.unsubscribe = () => {
      void jobs.return?.();
      void cancels.return?.();
    };
    void (async () => {
      for await (const job of jobs) {
        if (job.status === 'QUEUED' && (!this.opts.kinds || this.opts.kinds.includes(job.kind))) this.pump();
        if (job.cancelRequested) this.cancel(job.id);
      }
    })();
    void (async () => {
      for await (const { jobId } of cancels) this.cancel(jobId);
    })();
    this.timer = setInterval(() => void this.tick(), this.opts.heartbeatMs ?? 5000);
    this.timer.unref();
    this.pump();
    return recovered;
  }

  /** Heartbeats for running jobs, cancellations asked by other processes, stale jobs of dead ones. */
  private async tick(): Promise<void> {
    try {
      const ids = [...this.active.keys()];
      await this.env.registry.jobs.heartbeat(ids);
      for (const id of await this.env.registry.jobs.cancelRequested(ids)) this.cancel(id);
      const { requeued } = await this.env.registry.jobs.recover(this.isDead);
      if (requeued.length > 0) this.pump();
    } catch (err) {
      this.env.log('job runner heartbeat failed:', err);
    }
  }

  /** Fills idle worker slots with queued jobs. */
  pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.pumpAgain = false;
          for (const slot of this.slots) {
            if (slot.busy || [...this.active.values()].some((a) => a.slot === slot)) continue;
            const wid = this.workerId(slot);
            this.claiming.add(wid);
            try {
              const job = await this.env.registry.jobs.claimNext(wid, undefined, this.opts.kinds);
              if (!job) break;
              await this.launch(job, slot);
            } finally {
              this.claiming.delete(wid);
            }
          }
        } while (this.pumpAgain && !this.stopped);
      } catch (err) {
        this.env.log('job runner could not claim a job:', err);
      } finally {
        this.pumping = false;
      }
    })();
  }

  private async launch(job: Job, slot: WorkerSlot): Promise<void> {
    const a: Active = { job, slot, exec: null, startedAt: Date.now(), lastWrite: 0, chain: Promise.resolve(), ended: false, cancelAsked: false };
    this.active.set(job.id, a);
    this.publish(job);
    try {
      const prepare = PREPARE[job.kind];
      if (!prepare) throw new Error(`unknown job kind '${job.kind}'`);
      a.exec = await prepare(this.env, job);
    } catch (err) {
      await this.end(a, () => this.env.registry.jobs.finish(job.id, 'FAILED', { error: (err as Error).message }).then(() => undefined));
      return;
    }
    const exec = a.exec;
    if (a.cancelAsked) {
      await this.end(a, () => exec.abort('CANCELLED', 'cancelled before it started'));
      return;
    }
    await slot.run(job.id, exec.backend, exec.task, {
      onMessage: (m) => {
        exec.receive?.(m);
        this.enqueue(a, () => this.handle(a, m));
      },
      onCrash: (reason) =>
        this.enqueue(a, () =>
          this.end(a, async () => {
            // a graceful stop hands the job back without counting the attempt; a crash counts
            if (this.stopped) await this.env.registry.jobs.release(job.id, reason);
            else await this.env.registry.jobs.requeueOrFail(job.id, reason);
          }),
        ),
    }, exec.transfer);
  }

  private publish(job: Job): void {
    this.env.events.publish('job', job.id, job);
  }

  private enqueue(a: Active, work: () => Promise<void>): void {
    a.chain = a.chain.then(work).catch((err: unknown) => this.env.log(`job ${a.job.id}:`, err));
  }

  private async handle(a: Active, m: FromWorker): Promise<void> {
    const exec = a.exec!;
    switch (m.type) {
      case 'progress':
        return this.progress(a, m.progress);
      case 'done':
        return this.end(a, async () => {
          try {
            await exec.succeed(m);
          } catch (err) {
            this.env.log(`job ${a.job.id}: storing the result failed:`, err);
            await exec.abort('FAILED', `storing the result failed: ${(err as Error).message}`);
          }
        });
      case 'error':
        return this.end(a, () => exec.abort(m.cancelled ? 'CANCELLED' : 'FAILED', m.cancelled ? 'cancelled' : `${m.name}: ${m.message}`));
      case 'iteration':
      case 'epoch':
      case 'batch':
      case 'point':
        return exec.onMessage(m);
      case 'ready':
        return;
    }
  }

  private async progress(a: Active, p: Progress): Promise<void> {
    const elapsed = (Date.now() - a.startedAt) / 1000;
    const eta = p.fraction > 0.005 ? (elapsed * (1 - p.fraction)) / p.fraction : null;
    Object.assign(a.job, { progress: p.fraction, phase: p.phase, epoch: p.epoch ?? a.job.epoch, step: p.step ?? a.job.step, etaSeconds: eta, message: p.message ?? a.job.message, heartbeatAt: new Date() });
    const now = Date.now();
    if (now - a.lastWrite < (this.opts.progressWriteMs ?? 500)) return;
    a.lastWrite = now;
    // the job as published: a report without a step (a batch done) keeps the last one
    await this.env.registry.jobs.progress(a.job.id, { progress: p.fraction, phase: p.phase, epoch: a.job.epoch, step: a.job.step, etaSeconds: eta, message: p.message ?? null });
    this.publish({ ...a.job });
  }

  /** Runs the terminal write once, publishes the final job state, frees the slot. */
  private async end(a: Active, write: () => Promise<void>): Promise<void> {
    if (a.ended) return;
    a.ended = true;
    try {
      await write();
      this.publish(await this.env.registry.jobs.get(a.job.id));
    } finally {
      this.active.delete(a.job.id);
      this.pump();
    }
  }

  private cancel(jobId: number): void {
    const a = this.active.get(jobId);
    if (!a) return;
    a.cancelAsked = true;
    a.slot.cancel(jobId);
  }

  /** Kills the worker thread running `jobId`, as a crash would (admin / tests). False if not running here. */
  async killWorker(jobId: number): Promise<boolean> {
    const a = this.active.get(jobId);
    if (!a) return false;
    await a.slot.terminate();
    return true;
  }

  /** Running job ids (for tests and status). */
  get running(): number[] {
    return [...this.active.keys()];
  }

  /** Stops taking jobs and kills the workers; their jobs are requeued (or failed past maxAttempts). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await Promise.all(this.slots.map((s) => s.terminate(true)));
    await Promise.all([...this.active.values()].map((a) => a.chain));
  }
}

export { workersFromEnv } from './liveness.js';
export type { BackendName };
