// The server's side of remote job workers (`spikelab worker`): a registered worker claims a job
// (a queued one, or the one the Redis queue handed it), gets its task with inputs named by sha256,
// reports progress, curves and committed batches, and finishes the job. Every report is accepted
// only from the worker that holds the job (JobNotHeldError otherwise: that worker must stop). What
// is stored goes through the same functions as the in-process runner's (conversion-job.ts,
// training-job.ts).
import { z } from 'zod';
import { batchSumsSchema, type ConversionResult, type EpochRecord, type Progress, type RemoteTask, type WorkerAssignment } from '../formats/index.js';
import { InvalidInputError, WorkerRefusedError } from '../registry/errors.js';
import type { ConversionRun, Job, TrainingRun } from '../registry/records.js';
import type { SweepWork } from '../registry/sweeps.js';
import { abortConversion, commitConversionBatch, completeConversion, conversionRunOf, conversionTaskOf, publishDone } from './conversion-job.js';
import type { JobEnv } from './execution.js';
import { remoteCheckpoint, remoteDataset } from './remote-files.js';
import { abortSweep, completeSweep, storeSweepPoint } from './sweep-job.js';
import { abortTraining, completeTraining, trainingRunOf, trainingTaskOf } from './training-job.js';

/** A job's worker id is host/pid/slot; the worker process registered as host/pid. */
export function workerOf(jobWorkerId: string): string {
  const parts = jobWorkerId.split('/');
  if (parts.length !== 3 || !/^\d+$/.test(parts[2]!)) throw new InvalidInputError('workerId', 'must be host/pid/slot');
  return parts.slice(0, 2).join('/');
}

/** A job's run, by the job's kind (a sweep job: its open runs, and the backend the sweep asked for). */
type JobRun = { kind: 'training'; run: TrainingRun } | { kind: 'conversion'; run: ConversionRun } | { kind: 'sweep'; run: { backend: string }; sweep: SweepWork };

export type ClaimOutcome = { assignment: WorkerAssignment; skipped: null } | { assignment: null; skipped: 'gone' | 'busy' | 'backend' | 'none' };

/** A number that JSON may have carried as null (NaN, ±Infinity do not survive JSON). */
const num = z.number().nullable().transform((v) => v ?? NaN);

export const jobReportSchema = z.object({
  progress: z.object({ fraction: z.number().min(0).max(1), phase: z.string().max(64), epoch: z.number().int().nullish(), step: z.number().int().nullish(), message: z.string().max(1000).nullish(), etaSeconds: z.number().min(0).nullish() }).nullish(),
  iterations: z.array(z.object({ iteration: z.number().int().min(0), loss: num, lr: num })).max(100_000).nullish(),
  epoch: z.object({ epoch: z.number().int().min(1), trainLoss: num, trainMetric: num, valLoss: num, valMetric: num, learningRate: num, seconds: num }).nullish(),
  batch: z.object({ sums: batchSumsSchema, samples: z.number().int().min(1), batches: z.number().int().min(1), stepMetrics: z.record(z.string(), z.array(num)) }).nullish(),
  /** Sweep: one finished point (its run, one of the task's runIds), and the calibrations and simulations the engine ran since the previous point. */
  point: z.object({ runId: z.number().int().min(1), calibrations: z.number().int().min(0), simulations: z.number().int().min(0), result: z.record(z.string(), z.unknown()) }).nullish(),
});
export type JobReport = z.input<typeof jobReportSchema>;

export interface TrainingFinish {
  uploadId: string;
  manifest: Parameters<typeof completeTraining>[3]['manifest'];
  metricName: string;
  bestEpoch: number;
  bestMetric: number;
  backendUsed: string;
}

export interface JobFinish {
  status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  error?: string | null;
  conversion?: ConversionResult | null;
  training?: TrainingFinish | null;
}

/** Whether a worker with `backends` can run a run that asked for `requested` ('auto' and 'cpu' run anywhere). */
export function canRun(requested: string, backends: readonly string[]): boolean {
  return requested === 'auto' || requested === 'cpu' || backends.includes(requested);
}

export class RemoteJobs {
  constructor(
    private readonly env: JobEnv,
    /** Whether the worker holding a RUNNING job is gone (src/jobs/liveness.ts). */
    private readonly isDead: (workerId: string | null, heartbeatAt: Date | null) => boolean,
  ) {}

  private publish(job: Job): void {
    this.env.events.publish('job', job.id, job);
  }

  /** Job `job`'s run (read once per claim: `runs` keeps what was read). */
  private async runOf(job: Job, runs: Map<number, JobRun>): Promise<JobRun> {
    let run = runs.get(job.id);
    if (run === undefined) {
      if (job.kind === 'training') run = { kind: 'training', run: await trainingRunOf(this.env, job) };
      else if (job.kind === 'sweep') {
        const sweep = await this.env.registry.sweeps.workOf(job.id);
        run = { kind: 'sweep', run: { backend: sweep.sweep.backend }, sweep };
      } else run = { kind: 'conversion', run: await conversionRunOf(this.env, job) };
      runs.set(job.id, run);
    }
    return run;
  }

  /**
   * Claims job `jobId` (delivered by the queue), or the next queued job this worker can run, for
   * slot `jobWorkerId` (host/pid/slot) of a registered worker.
   */
  async claim(jobWorkerId: string, jobId: number | null): Promise<ClaimOutcome> {
    const worker = await this.env.registry.workers.registered(workerOf(jobWorkerId)).catch(() => {
      throw new WorkerRefusedError(`worker ${workerOf(jobWorkerId)} is not registered (register first)`);
    });
    if (worker.stoppedAt) throw new WorkerRefusedError(`worker ${worker.id} said goodbye; register again`);
    const { jobs } = this.env.registry;
    const runs = new Map<number, JobRun>();
    const accept = async (job: Job): Promise<boolean> => canRun((await this.runOf(job, runs)).run.backend, worker.backends);
    let job: Job | null;
    if (jobId !== null) {
      const current = await jobs.get(jobId);
      if (current.status !== 'QUEUED' && current.status !== 'RUNNING') return { assignment: null, skipped: 'gone' };
      if (!(await accept(current))) return { assignment: null, skipped: 'backend' };
      job = await jobs.claim(current, jobWorkerId, this.isDead);
      if (!job) {
        const after = await jobs.get(jobId);
        return { assignment: null, skipped: after.status === 'RUNNING' ? 'busy' : 'gone' };
      }
    } else {
      job = await jobs.claimNext(jobWorkerId, accept, ['training', 'conversion', 'sweep']);
      if (!job) return { assignment: null, skipped: 'none' };
    }
    this.publish(job);
    try {
      // a sweep's open points as of the claim (a point stored meanwhile, before a retry, is not computed again)
      if (job.kind === 'sweep') runs.delete(job.id);
      const run = await this.runOf(job, runs);
      const task = await this.taskOf(job, run);
      return { assignment: { jobId: job.id, kind: task.kind, attempt: job.attempts, workerId: jobWorkerId, backend: run.run.backend, task }, skipped: null };
    } catch (err) {
      // the inputs cannot be described (a data set gone from disk): the job cannot run anywhere
      await this.finish(jobWorkerId, job.id, { status: 'FAILED', error: (err as Error).message });
      return { assignment: null, skipped: 'gone' };
    }
  }

  private async taskOf(job: Job, r: JobRun): Promise<RemoteTask> {
    const { registry } = this.env;
    if (r.kind === 'training') {
      const { run } = r;
      const t = await trainingTaskOf(this.env, run);
      return { kind: 'training', modelSpec: t.modelSpec, config: t.config, dataset: await remoteDataset(registry, run.datasetId), init: run.initCheckpointId != null ? await remoteCheckpoint(registry, run.initCheckpointId) : null };
    }
    if (r.kind === 'sweep') {
      const { sweep, runs } = r.sweep;
      return { kind: 'sweep', checkpoint: await remoteCheckpoint(registry, r.sweep.checkpointId), dataset: await remoteDataset(registry, sweep.datasetId), configs: runs.map((x) => registry.conversionRuns.configOf(x)), runIds: runs.map((x) => x.id), maxSamples: sweep.maxSamples };
    }
    const { run } = r;
    const dataset = await registry.datasets.get(run.datasetId);
    const t = await conversionTaskOf(this.env, run, job.attempts, dataset);
    return { kind: 'conversion', checkpoint: await remoteCheckpoint(registry, run.checkpointId), dataset: await remoteDataset(registry, dataset), config: t.config, maxSamples: t.maxSamples, resume: t.resume };
  }

  /** Progress, curves and committed batches of a held job; answers whether a cancel was asked. */
  async report(jobWorkerId: string, jobId: number, input: JobReport): Promise<{ cancelRequested: boolean }> {
    const r = jobReportSchema.parse(input);
    const { jobs } = this.env.registry;
    const curves = (r.iterations && r.iterations.length > 0) || r.epoch;
    // a report of progress alone is one statement (progressHeld checks the holder)
    let job = curves || r.batch || r.point ? await jobs.held(jobId, jobWorkerId) : null;
    if (job?.kind === 'training') {
      const run = await trainingRunOf(this.env, job);
      if (r.iterations && r.iterations.length > 0) await this.env.registry.trainingRuns.recordIterations(run.id, r.iterations);
      if (r.epoch) await this.env.registry.trainingRuns.recordEpoch(run.id, r.epoch satisfies EpochRecord);
    } else if (job?.kind === 'sweep' && r.point) {
      const { point } = r;
      const run = (await this.env.registry.sweeps.workOf(job.id)).runs.find((x) => x.id === point.runId);
      // a run not open (stored by an earlier report, or cancelled) gets nothing written
      if (run) await storeSweepPoint(this.env, job.id, run, { calibrations: point.calibrations, simulations: point.simulations }, point.result as unknown as ConversionResult);
    } else if (job && r.batch) {
      const run = await conversionRunOf(this.env, job);
      await commitConversionBatch(this.env, job, run.id, jobWorkerId, r.batch);
    }
    if (r.progress) {
      const p: Progress & { etaSeconds?: number | null } = { fraction: r.progress.fraction, phase: r.progress.phase, ...(r.progress.epoch != null && { epoch: r.progress.epoch }), ...(r.progress.step != null && { step: r.progress.step }), ...(r.progress.message != null && { message: r.progress.message }) };
      job = await jobs.progressHeld(jobId, jobWorkerId, { progress: p.fraction, phase: p.phase, epoch: p.epoch ?? null, step: p.step ?? null, message: p.message ?? null, etaSeconds: r.progress.etaSeconds ?? null });
      this.publish(job);
    } else {
      job ??= await jobs.held(jobId, jobWorkerId);
      await jobs.heartbeat([jobId]);
    }
    return { cancelRequested: job.cancelRequested };
  }

  /** Ends a held job: its result stored (one transaction with the status), or FAILED / CANCELLED. */
  async finish(jobWorkerId: string, jobId: number, f: JobFinish): Promise<Job> {
    const { registry } = this.env;
    const job = await registry.jobs.held(jobId, jobWorkerId);
    const error = f.error ?? (f.status === 'SUCCEEDED' ? null : 'the worker gave no reason');
    let after: Job;
    if (job.kind === 'training') {
      const run = await trainingRunOf(this.env, job);
      if (f.status === 'SUCCEEDED') {
        const t = f.training;
        if (!t) throw new InvalidInputError('training', 'a succeeded training job needs its uploaded weights');
        const weights = await registry.store.readUpload(t.uploadId);
        after = await completeTraining(this.env, job, run.id, { manifest: t.manifest, weights, metricName: t.metricName, bestEpoch: t.bestEpoch, bestMetric: t.bestMetric, backendUsed: t.backendUsed });
        await registry.store.discardUpload(t.uploadId);
      } else after = await abortTraining(this.env, job, f.status, error!);
    } else if (job.kind === 'sweep') {
      after = f.status === 'SUCCEEDED' ? await completeSweep(this.env, job) : await abortSweep(this.env, job, f.status, error!);
    } else {
      const run = await conversionRunOf(this.env, job);
      if (f.status === 'SUCCEEDED') {
        if (!f.conversion) throw new InvalidInputError('conversion', 'a succeeded conversion job needs its result');
        after = await completeConversion(this.env, job, run.id, f.conversion);
      } else after = await abortConversion(this.env, job, run.id, f.status, error!);
    }
    this.publish(after);
    return after;
  }

  /** The worker could not finish (its thread died, it is stopping): queued again, or FAILED past maxAttempts. */
  async release(jobWorkerId: string, jobId: number, reason: string, countAttempt: boolean): Promise<Job> {
    const { jobs } = this.env.registry;
    const held = await jobs.held(jobId, jobWorkerId);
    // a sweep's open runs, read while they are open (they end with the job)
    const open = held.kind === 'sweep' ? (await this.env.registry.sweeps.workOf(jobId)).runs.map((r) => r.id) : [];
    const after = countAttempt ? await jobs.requeueOrFail(jobId, reason) : await jobs.release(jobId, reason);
    if (after.status !== 'QUEUED' && after.status !== 'RUNNING') {
      // ended for good (gave up, or cancelled): the runs' streams end too
      const ids = after.kind === 'conversion' ? [(await conversionRunOf(this.env, after)).id] : open;
      for (const id of ids) publishDone(this.env, id);
    }
    this.publish(after);
    return after;
  }

  /** Heartbeat of a worker process and the jobs it holds; answers which of them were asked to cancel. */
  async heartbeat(workerId: string, jobIds: readonly number[]): Promise<number[]> {
    await this.env.registry.workers.heartbeat(workerId);
    const held = await this.env.registry.jobs.heartbeat(jobIds, workerId);
    return this.env.registry.jobs.cancelRequested(held);
  }
}
