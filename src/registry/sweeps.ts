// Sweeps: the cross product of the listed config values (src/formats/sweep.ts) for each checkpoint,
// created in one transaction: the sweep, one conversion run per point (or, unless `force`, the
// identical SUCCEEDED run already in the registry: identical.ts), the points, and one queued job
// per checkpoint that has anything to compute. Status follows the jobs (sweep-status.ts).
import { z } from 'zod';
import {
  CONVERSION_BACKENDS,
  JOB_FIELDS,
  MAX_SWEEP_CHECKPOINTS,
  MAX_SWEEP_POINTS,
  crossProduct,
  sweepAxesSchema,
  valueSchema,
  type ConversionConfig,
} from '../formats/index.js';
import { checkConversionInputs, checkTaskOptions, type ConversionInputs } from './conversion-runs.js';
import type { PrismaClient } from './db.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { findIdenticalRun } from './identical.js';
import { parseInput, type Loose } from './input.js';
import type { JobService } from './jobs.js';
import { type Page, type PageArgs, mapPage, paginate } from './pagination.js';
import { CONVERSION_RUN_OMIT, conversionRunRecord, jobRecord, sweepRecord, toJson, type ConversionRun, type Job, type Sweep } from './records.js';
import { RUN_STATUSES } from './vocab.js';

export type { Sweep } from './records.js';

export const startSweepSchema = z.object({
  checkpointIds: z.array(z.number().int().positive()).min(1, { error: 'name at least one checkpoint' }).max(MAX_SWEEP_CHECKPOINTS, { error: `at most ${MAX_SWEEP_CHECKPOINTS} checkpoints` }),
  datasetId: z.number().int().positive(),
  axes: sweepAxesSchema.nullish(),
  maxSamples: valueSchema(JOB_FIELDS.maxSamples).nullish(),
  backend: z.enum(CONVERSION_BACKENDS, { error: `must be one of ${CONVERSION_BACKENDS.join(', ')}` }).nullish(),
  /** true: every point computed again, none answered from the registry. */
  force: z.boolean().nullish(),
  priority: valueSchema(JOB_FIELDS.priority).nullish(),
  maxAttempts: valueSchema(JOB_FIELDS.maxAttempts).nullish(),
});
export type StartSweepParams = Loose<z.input<typeof startSweepSchema>>;

export const sweepFilterSchema = z.object({
  datasetId: z.number().int().positive().nullish(),
  status: z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(', ')}` }).nullish(),
});
export type SweepFilter = Loose<z.input<typeof sweepFilterSchema>>;

/** One point of a sweep: its run, and whether that run was reused from the registry. */
export interface SweepPointRecord {
  position: number;
  /** The sweep's checkpoint of the point (a reused run may sit on another checkpoint with the same content). */
  checkpointId: number;
  cached: boolean;
  run: ConversionRun;
}

/** The work of a sweep on one checkpoint. */
export interface SweepJobRecord {
  position: number;
  checkpointId: number;
  job: Job | null;
  /** Points the job computes. */
  points: number;
  calibrations: number;
  simulations: number;
}

/** Where a sweep stands, from its points and jobs. */
export interface SweepState {
  /** 0..1: finished points (reused ones included) plus the running jobs' fractions, weighted by their points. */
  progress: number;
  /** What the running jobs are at (the point each one computes), or null. */
  message: string | null;
  /** Points whose run has SUCCEEDED (reused ones included). */
  pointsDone: number;
  /** Points answered from the registry. */
  cachedPoints: number;
  calibrations: number;
  simulations: number;
}

/** What a sweep job's worker computes: the runs still open, in point order, with their configs. */
export interface SweepWork {
  sweep: Sweep;
  checkpointId: number;
  /** Points the job computes in all (those already stored included). */
  points: number;
  runs: ConversionRun[];
}

export class SweepService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly jobs: JobService,
  ) {}

  /** Checks every checkpoint (NOT_FOUND, fit), the axes' bounds and their fit to the data set's task, then creates everything in one transaction. */
  async start(params: StartSweepParams): Promise<Sweep> {
    const p = parseInput(startSweepSchema, params);
    const checkpointIds = [...new Set(p.checkpointIds)];
    const configs = crossProduct(p.axes ?? {});
    const total = checkpointIds.length * configs.length;
    if (total > MAX_SWEEP_POINTS) {
      throw new InvalidInputError('axes', `${checkpointIds.length} checkpoint(s) × ${configs.length} configs = ${total} points; a sweep holds at most ${MAX_SWEEP_POINTS}`);
    }
    const inputs: ConversionInputs[] = [];
    for (const id of checkpointIds) inputs.push(await checkConversionInputs(this.prisma, id, p.datasetId, 'checkpointIds'));
    // options the data set's task cannot use (one data set: the first point that lists one names it)
    for (const config of configs) checkTaskOptions(config, inputs[0]!.dataset, inputs[0]!.geometry, 'axes');
    const maxSamples = p.maxSamples ?? null;
    // unless forced, each point is looked up in the registry first (identical.ts)
    const plan: { inputs: ConversionInputs; points: { config: ConversionConfig; cached: ConversionRun | null }[] }[] = [];
    for (const inp of inputs) {
      const points: { config: ConversionConfig; cached: ConversionRun | null }[] = [];
      for (const config of configs) {
        const cached = p.force === true ? null : await findIdenticalRun(this.prisma, { checkpoint: inp.checkpoint, datasetId: p.datasetId, maxSamples, config });
        points.push({ config, cached });
      }
      plan.push({ inputs: inp, points });
    }
    const id = await this.prisma.$transaction(async (tx) => {
      const sweep = await tx.sweep.create({
        data: { datasetId: p.datasetId, axes: toJson(sweepAxesSchema, p.axes ?? {}), maxSamples, backend: p.backend ?? 'auto', force: p.force === true, pointCount: total },
      });
      let position = 0;
      let anyJob = false;
      for (const [ci, { inputs: inp, points }] of plan.entries()) {
        const toCompute = points.filter((pt) => pt.cached === null).length;
        const job = toCompute === 0 ? null : await tx.job.create({ data: { kind: 'sweep', payload: { sweepId: sweep.id }, priority: p.priority ?? 0, maxAttempts: p.maxAttempts ?? 3 } });
        anyJob ||= job !== null;
        await tx.sweepJob.create({ data: { sweepId: sweep.id, position: ci, checkpointId: inp.checkpoint.id, jobId: job?.id ?? null, points: toCompute } });
        for (const pt of points) {
          const runId = pt.cached?.id ?? (await tx.conversionRun.create({
            data: { checkpointId: inp.checkpoint.id, datasetId: p.datasetId, ...pt.config, maxSamples, backend: p.backend ?? 'auto', task: inp.geometry.task, sweepId: sweep.id },
            select: { id: true },
          })).id;
          await tx.sweepPoint.create({ data: { sweepId: sweep.id, position: position++, checkpointId: inp.checkpoint.id, conversionRunId: runId, cached: pt.cached !== null } });
        }
      }
      // every point answered from the registry: nothing to run
      if (!anyJob) await tx.sweep.update({ where: { id: sweep.id }, data: { status: 'SUCCEEDED', finishedAt: new Date() } });
      return sweep.id;
    });
    return this.get(id);
  }

  async get(id: number): Promise<Sweep> {
    const row = await this.prisma.sweep.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('Sweep', id);
    return sweepRecord(row);
  }

  async list(filter: SweepFilter = {}, page: PageArgs = {}): Promise<Page<Sweep>> {
    const f = parseInput(sweepFilterSchema, filter, 'filter');
    const where = { ...(f.datasetId != null && { datasetId: f.datasetId }), ...(f.status != null && { status: f.status }) };
    const rows = await paginate(
      page,
      (q) => this.prisma.sweep.findMany({ where: { ...where, id: q.id }, orderBy: q.orderBy, take: q.take }),
      () => this.prisma.sweep.count({ where }),
    );
    return mapPage(rows, sweepRecord);
  }

  /** The points in order, each with its run (deleted runs included: a sweep keeps its history). */
  async points(sweepId: number): Promise<SweepPointRecord[]> {
    const rows = await this.prisma.sweepPoint.findMany({ where: { sweepId }, orderBy: { position: 'asc' }, include: { conversionRun: { omit: CONVERSION_RUN_OMIT } } });
    return rows.map((r) => ({ position: r.position, checkpointId: r.checkpointId, cached: r.cached, run: conversionRunRecord(r.conversionRun) }));
  }

  /** The sweep's work per checkpoint, in order. */
  async jobsOf(sweepId: number): Promise<SweepJobRecord[]> {
    const rows = await this.prisma.sweepJob.findMany({ where: { sweepId }, orderBy: { position: 'asc' }, include: { job: true } });
    return rows.map((r) => ({ position: r.position, checkpointId: r.checkpointId, job: r.job && jobRecord(r.job), points: r.points, calibrations: r.calibrations, simulations: r.simulations }));
  }

  /** Batch lookup for DataLoaders: result[i] belongs to ids[i] (NotFoundError for a missing sweep). */
  async statesOf(ids: readonly number[]): Promise<(SweepState | Error)[]> {
    return Promise.all(ids.map((id) => this.get(id).then((s) => this.state(s)).catch((err: unknown) => err as Error)));
  }

  async state(sweep: Pick<Sweep, 'id' | 'pointCount'>): Promise<SweepState> {
    const [jobs, pointsDone, cachedPoints] = await Promise.all([
      this.jobsOf(sweep.id),
      this.prisma.sweepPoint.count({ where: { sweepId: sweep.id, conversionRun: { status: 'SUCCEEDED' } } }),
      this.prisma.sweepPoint.count({ where: { sweepId: sweep.id, cached: true } }),
    ]);
    const computed = jobs.reduce((n, j) => n + (j.job ? (j.job.status === 'SUCCEEDED' ? 1 : j.job.progress) * j.points : 0), 0);
    const running = jobs.filter((j) => j.job?.status === 'RUNNING');
    return {
      progress: sweep.pointCount === 0 ? 1 : Math.min(1, (cachedPoints + computed) / sweep.pointCount),
      message: running.length === 0 ? null : running.map((j) => `checkpoint ${j.checkpointId}: ${j.job!.message ?? j.job!.phase ?? 'running'}`).join('; '),
      pointsDone,
      cachedPoints,
      calibrations: jobs.reduce((n, j) => n + j.calibrations, 0),
      simulations: jobs.reduce((n, j) => n + j.simulations, 0),
    };
  }

  /** The job computing a run of a sweep (null for runs of their own and points answered from the registry). */
  async jobOfRun(run: Pick<ConversionRun, 'sweepId' | 'checkpointId'>): Promise<number | null> {
    if (run.sweepId == null) return null;
    const row = await this.prisma.sweepJob.findUnique({ where: { sweepId_checkpointId: { sweepId: run.sweepId, checkpointId: run.checkpointId } }, select: { jobId: true } });
    return row?.jobId ?? null;
  }

  /** Asks every job of the sweep to stop (queued ones at once, running ones within a batch); returns the jobs after the request. */
  async cancel(sweepId: number): Promise<Job[]> {
    await this.get(sweepId);
    const rows = await this.prisma.sweepJob.findMany({ where: { sweepId, jobId: { not: null } }, orderBy: { position: 'asc' }, select: { jobId: true } });
    const out: Job[] = [];
    for (const r of rows) out.push(await this.jobs.requestCancel(r.jobId!));
    return out;
  }

  /** The open runs (QUEUED or RUNNING) a sweep job computes, in point order. */
  async workOf(jobId: number): Promise<SweepWork> {
    const sj = await this.prisma.sweepJob.findUnique({ where: { jobId }, include: { sweep: true } });
    if (!sj) throw new NotFoundError('SweepJob of job', jobId);
    const points = await this.prisma.sweepPoint.findMany({
      where: { sweepId: sj.sweepId, checkpointId: sj.checkpointId, cached: false, conversionRun: { status: { in: ['QUEUED', 'RUNNING'] } } },
      orderBy: { position: 'asc' },
      include: { conversionRun: { omit: CONVERSION_RUN_OMIT } },
    });
    return { sweep: sweepRecord(sj.sweep), checkpointId: sj.checkpointId, points: sj.points, runs: points.map((pt) => conversionRunRecord(pt.conversionRun)) };
  }

  /** Adds calibrations and simulations a sweep job's engine ran (the shared work, observable). */
  async recordWork(jobId: number, more: { calibrations: number; simulations: number }): Promise<void> {
    if (more.calibrations === 0 && more.simulations === 0) return;
    await this.prisma.sweepJob.updateMany({ where: { jobId }, data: { calibrations: { increment: more.calibrations }, simulations: { increment: more.simulations } } });
  }
}
