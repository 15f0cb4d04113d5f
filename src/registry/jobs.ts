// The persistent job queue (Job table). Claiming is an atomic compare-and-set on status, so two
// runners sharing the database never take the same job. The run a job drives (TrainingRun or
// ConversionRun, linked by jobId; a sweep job's runs, sweep-status.ts) follows the job's status in
// the same transaction.
import type { Prisma, PrismaClient } from './db.js';
import { InvalidInputError, JobNotHeldError, NotFoundError } from './errors.js';
import { type Page, type PageArgs, mapPage, paginate } from './pagination.js';
import { inIdOrder, jobRecord, type Job } from './records.js';
import { isRecordNotFound } from './prisma-errors.js';
import { syncSweepJob } from './sweep-status.js';
import { RUN_STATUSES, isOneOf, type RunStatus } from './vocab.js';

export type { Job } from './records.js';

export const JOB_KINDS = ['training', 'conversion', 'sweep'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export interface JobFilter {
  status?: string | null;
  kind?: string | null;
}

export interface JobProgressUpdate {
  progress: number;
  phase?: string | null;
  epoch?: number | null;
  step?: number | null;
  etaSeconds?: number | null;
  message?: string | null;
}

type Tx = Prisma.TransactionClient;

function progressData(u: JobProgressUpdate): Prisma.JobUpdateManyMutationInput {
  return {
    progress: Math.min(1, Math.max(0, u.progress)),
    phase: u.phase ?? undefined,
    epoch: u.epoch ?? undefined,
    step: u.step ?? undefined,
    etaSeconds: u.etaSeconds ?? null,
    message: u.message ?? undefined,
    heartbeatAt: new Date(),
  };
}

/**
 * Sets the status (and timestamps / error) of whichever run the job drives: the job's kind names
 * its table (a training job drives a TrainingRun, a conversion job a ConversionRun, a sweep job the
 * sweep's runs), so that a status change writes one run table, not all three.
 */
export async function syncRunStatus(tx: Tx, job: { id: number; kind: string }, status: RunStatus, error: string | null = null): Promise<void> {
  const now = new Date();
  const data = {
    status,
    ...(status === 'RUNNING' && { startedAt: now }),
    ...(TERMINAL_STATUSES.includes(status) && { finishedAt: now }),
    ...(status === 'QUEUED' && { startedAt: null }),
    error,
  };
  const known = isOneOf(JOB_KINDS, job.kind);
  if (!known || job.kind === 'training') await tx.trainingRun.updateMany({ where: { jobId: job.id }, data });
  if (!known || job.kind === 'conversion') await tx.conversionRun.updateMany({ where: { jobId: job.id }, data });
  if (!known || job.kind === 'sweep') await syncSweepJob(tx, job.id, status, error);
}

/** A requeued job starts its next attempt from nothing: the last attempt's progress would be stale. */
const RESTART = { progress: 0, phase: null, epoch: null, step: null, etaSeconds: null } as const;

export class JobService {
  constructor(private readonly prisma: PrismaClient) {}

  async get(id: number): Promise<Job> {
    const row = await this.prisma.job.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('Job', id);
    return jobRecord(row);
  }

  /** Batch lookup for DataLoaders: result[i] belongs to ids[i]. */
  async byIds(ids: readonly number[]): Promise<(Job | null)[]> {
    const rows = await this.prisma.job.findMany({ where: { id: { in: [...ids] } } });
    return inIdOrder(ids, rows.map(jobRecord));
  }

  async list(filter: JobFilter = {}, page: PageArgs = {}): Promise<Page<Job>> {
    if (filter.status != null && !isOneOf(RUN_STATUSES, filter.status)) throw new InvalidInputError('status', `must be one of ${RUN_STATUSES.join(', ')}`);
    if (filter.kind != null && !isOneOf(JOB_KINDS, filter.kind)) throw new InvalidInputError('kind', `must be one of ${JOB_KINDS.join(', ')}`);
    const where: Prisma.JobWhereInput = {
      ...(filter.status != null && { status: filter.status }),
      ...(filter.kind != null && { kind: filter.kind }),
    };
    const rows = await paginate(
      page,
      (q) => this.prisma.job.findMany({ where: { ...where, id: q.id }, orderBy: q.orderBy, take: q.take }),
      () => this.prisma.job.count({ where }),
    );
    return mapPage(rows, jobRecord);
  }

  /**
   * Takes the highest-priority, oldest queued job of `kinds` (every kind by default) that `accept`
   * takes for `workerId` (every job by default), or null when there is none.
   */
  async claimNext(workerId: string, accept: (job: Job) => boolean | Promise<boolean> = () => true, kinds?: readonly string[]): Promise<Job | null> {
    for (let tries = 0; tries < 5; tries++) {
      // the kinds filter is in the query: a sweep queued behind many conversions is still among the candidates
      const candidates = (await this.prisma.job.findMany({ where: { status: 'QUEUED', ...(kinds && { kind: { in: [...kinds] } }) }, orderBy: [{ priority: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }], take: 20 })).map(jobRecord);
      let lost = false;
      for (const next of candidates) {
        if (!(await accept(next))) continue;
        const claimed = await this.tryClaim(next, workerId);
        if (claimed) return claimed;
        lost = true; // another runner took it first: look again
        break;
      }
      if (!lost) return null;
    }
    return null;
  }

  /**
   * Takes `job` (as the caller just read it; a queue delivered it) for `workerId`: QUEUED →
   * RUNNING with one more attempt. A job RUNNING on a worker that `isDead` says is gone is requeued
   * (or failed) first, as recover() would. Null when the job cannot be taken (finished, cancelled,
   * held by a live worker).
   */
  async claim(job: Job, workerId: string, isDead: (workerId: string | null, heartbeatAt: Date | null) => boolean): Promise<Job | null> {
    if (job.status === 'RUNNING' && job.workerId !== workerId && isDead(job.workerId, job.heartbeatAt)) await this.requeueOrFail(job.id, 'its worker stopped');
    return this.tryClaim(job, workerId);
  }

  /** QUEUED → RUNNING for `workerId`, and the job's run with it; null when another runner took it first. */
  private async tryClaim(job: { id: number; kind: string }, workerId: string): Promise<Job | null> {
    return this.prisma.$transaction(async (tx) => {
      const now = new Date();
      const [row] = await tx.job.updateManyAndReturn({
        where: { id: job.id, status: 'QUEUED' },
        data: { status: 'RUNNING', workerId, attempts: { increment: 1 }, startedAt: now, heartbeatAt: now, progress: 0, etaSeconds: null, error: null },
      });
      if (row === undefined) return null;
      await syncRunStatus(tx, row, 'RUNNING');
      return jobRecord(row);
    });
  }

  /** Throws JobNotHeldError unless job `id` is RUNNING on `workerId`; returns it. */
  async held(id: number, workerId: string): Promise<Job> {
    const job = await this.get(id);
    if (job.status !== 'RUNNING' || job.workerId !== workerId) throw new JobNotHeldError(id, workerId);
    return job;
  }

  /** QUEUED jobs (oldest first, at most `limit`): what a queue must carry. */
  async queued(limit = 1000): Promise<Job[]> {
    return (await this.prisma.job.findMany({ where: { status: 'QUEUED' }, orderBy: [{ priority: 'desc' }, { createdAt: 'asc' }], take: limit })).map(jobRecord);
  }

  /** How many jobs of `kinds` are QUEUED. */
  async countQueued(kinds: readonly string[]): Promise<number> {
    return this.prisma.job.count({ where: { status: 'QUEUED', kind: { in: [...kinds] } } });
  }

  /** Jobs RUNNING on each worker id prefix (host/pid), for the workers list. */
  async runningByWorker(): Promise<Map<string, number[]>> {
    const rows = await this.prisma.job.findMany({ where: { status: 'RUNNING', workerId: { not: null } }, select: { id: true, workerId: true } });
    const out = new Map<string, number[]>();
    for (const r of rows) {
      const owner = r.workerId!.split('/').slice(0, 2).join('/');
      out.set(owner, [...(out.get(owner) ?? []), r.id]);
    }
    return out;
  }

  async progress(id: number, u: JobProgressUpdate): Promise<void> {
    await this.prisma.job.updateMany({ where: { id, status: 'RUNNING' }, data: progressData(u) });
  }

  /**
   * Progress of job `id` from the worker that holds it, in one statement (UPDATE … RETURNING):
   * the job as it is now; JobNotHeldError unless it is RUNNING on `workerId`.
   */
  async progressHeld(id: number, workerId: string, u: JobProgressUpdate): Promise<Job> {
    try {
      return jobRecord(await this.prisma.job.update({ where: { id, status: 'RUNNING', workerId }, data: progressData(u) }));
    } catch (err) {
      if (isRecordNotFound(err)) throw new JobNotHeldError(id, workerId);
      throw err;
    }
  }

  /** Heartbeats running jobs; with `workerIdPrefix`, only those its worker (host/pid) holds. Returns the ids it held. */
  async heartbeat(ids: readonly number[], workerIdPrefix?: string): Promise<number[]> {
    if (ids.length === 0) return [];
    const where: Prisma.JobWhereInput = { id: { in: [...ids] }, status: 'RUNNING', ...(workerIdPrefix !== undefined && { workerId: { startsWith: `${workerIdPrefix}/` } }) };
    await this.prisma.job.updateMany({ where, data: { heartbeatAt: new Date() } });
    if (workerIdPrefix === undefined) return [...ids];
    return (await this.prisma.job.findMany({ where, select: { id: true } })).map((r) => r.id);
  }

  /**
   * Ends a running job (and its run). `extra` runs inside the same transaction, e.g. to write the
   * run's summary and metrics so that they appear together with the SUCCEEDED status or not at all.
   */
  async finish(id: number, status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', opts: { error?: string; result?: Prisma.InputJsonValue; extra?: (tx: Tx) => Promise<void> } = {}): Promise<Job> {
    return this.prisma.$transaction(async (tx) => {
      await opts.extra?.(tx);
      const job = await tx.job.update({
        where: { id },
        data: {
          status,
          finishedAt: new Date(),
          error: opts.error ?? null,
          ...(status === 'SUCCEEDED' && { progress: 1, etaSeconds: 0 }),
          ...(opts.result !== undefined && { result: opts.result }),
        },
      });
      await syncRunStatus(tx, job, status, opts.error ?? null);
      return jobRecord(job);
    });
  }

  /**
   * Cancels a job: a queued one at once, a running one by flagging it (the runner stops the worker
   * within one batch and marks it CANCELLED). A finished job is returned unchanged.
   */
  async requestCancel(id: number): Promise<Job> {
    const job = await this.get(id);
    if (job.status === 'QUEUED') {
      const cancelled = await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.job.updateMany({ where: { id, status: 'QUEUED' }, data: { status: 'CANCELLED', cancelRequested: true, finishedAt: new Date() } });
        if (count > 0) await syncRunStatus(tx, job, 'CANCELLED');
        return count > 0;
      });
      if (cancelled) return this.get(id);
    }
    if (job.status === 'RUNNING' || job.status === 'QUEUED') {
      await this.prisma.job.updateMany({ where: { id, status: 'RUNNING' }, data: { cancelRequested: true } });
    }
    return this.get(id);
  }

  /** Ids of running jobs whose cancellation was requested (a runner polls this across processes). */
  async cancelRequested(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.job.findMany({ where: { id: { in: [...ids] }, cancelRequested: true }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /** A running job whose worker died: QUEUED again while attempts < maxAttempts, else FAILED (or CANCELLED if asked). */
  async requeueOrFail(id: number, reason: string): Promise<Job> {
    const job = await this.get(id);
    if (job.status !== 'RUNNING') return job;
    if (job.cancelRequested) return this.finish(id, 'CANCELLED', { error: `cancelled (${reason})` });
    if (job.attempts >= job.maxAttempts) {
      return this.finish(id, 'FAILED', { error: `${reason}; gave up after ${job.attempts} attempts (maxAttempts ${job.maxAttempts})` });
    }
    await this.prisma.$transaction(async (tx) => {
      await tx.job.updateMany({ where: { id, status: 'RUNNING' }, data: { status: 'QUEUED', workerId: null, ...RESTART, message: `requeued: ${reason} (attempt ${job.attempts} of ${job.maxAttempts})` } });
      await syncRunStatus(tx, job, 'QUEUED');
    });
    return this.get(id);
  }

  /** Puts a running job back in the queue without counting the attempt (graceful server stop). */
  async release(id: number, reason: string): Promise<Job> {
    const job = await this.get(id);
    if (job.status === 'RUNNING' && job.cancelRequested) return this.finish(id, 'CANCELLED', { error: `cancelled (${reason})` });
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.job.updateMany({ where: { id, status: 'RUNNING' }, data: { status: 'QUEUED', workerId: null, attempts: { decrement: 1 }, ...RESTART, message: `requeued: ${reason}` } });
      if (count > 0) await syncRunStatus(tx, job, 'QUEUED');
    });
    return this.get(id);
  }

  /**
   * Recovers jobs left RUNNING by a dead worker: requeued while attempts < maxAttempts, else FAILED.
   * `isDead(workerId, heartbeatAt)` decides (dead pid on this host, or a stale heartbeat).
   */
  async recover(isDead: (workerId: string | null, heartbeatAt: Date | null) => boolean): Promise<{ requeued: number[]; failed: number[] }> {
    const running = (await this.prisma.job.findMany({ where: { status: 'RUNNING' } })).map(jobRecord);
    const requeued: number[] = [];
    const failed: number[] = [];
    for (const job of running.filter((j) => isDead(j.workerId, j.heartbeatAt))) {
      const after = await this.requeueOrFail(job.id, 'its worker stopped');
      (after.status === 'QUEUED' ? requeued : failed).push(job.id);
    }
    return { requeued, failed };
  }
}
