// Training runs: created together with their job, fed per-epoch / per-iteration metrics while the
// job runs, and finished by storing the best weights as a checkpoint aliased 'latest' (and 'best'
// when no earlier run of the model scored higher).
import { DEFAULT_TRAINING_CONFIG, type CheckpointManifest, type EpochRecord, type ModelSpec, type TrainingConfig } from '../formats/index.js';
import type { CheckpointService } from './checkpoints.js';
import type { Prisma, PrismaClient, TrainingMetric, TrainingRun } from './db.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import type { JobService } from './jobs.js';
import { type Page, type PageArgs, paginate } from './pagination.js';
import { checkFit, datasetGeometry, trainingRunWhere, type RunFilter } from './runs.js';

export type { TrainingRun, TrainingMetric } from './db.js';

export interface StartTrainingParams {
  modelId: number;
  datasetId: number;
  initCheckpointId?: number | null;
  config?: Partial<TrainingConfig>;
  backend?: string | null;
  priority?: number | null;
  maxAttempts?: number | null;
}

export interface TrainingOutput {
  manifest: Omit<CheckpointManifest, 'weightsSha256'>;
  weights: Uint8Array;
  metricName: string;
  bestEpoch: number;
  bestMetric: number;
  backendUsed: string;
}

const EPOCH_FIELDS = ['trainLoss', 'trainMetric', 'valLoss', 'valMetric', 'learningRate', 'seconds'] as const;

export class TrainingRunService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly jobs: JobService,
    private readonly checkpoints: CheckpointService,
  ) {}

  /** Validates everything a worker would need, then creates the run and its queued job together. */
  async start(p: StartTrainingParams): Promise<TrainingRun> {
    const model = await this.prisma.model.findFirst({ where: { id: p.modelId, deletedAt: null } });
    if (!model) throw new NotFoundError('Model', p.modelId);
    const dataset = await this.prisma.dataset.findFirst({ where: { id: p.datasetId, deletedAt: null } });
    if (!dataset) throw new NotFoundError('Dataset', p.datasetId);
    if (p.initCheckpointId != null) {
      const cp = await this.prisma.checkpoint.findFirst({ where: { id: p.initCheckpointId, deletedAt: null } });
      if (!cp) throw new NotFoundError('Checkpoint', p.initCheckpointId);
      if (cp.modelId !== model.id) throw new InvalidInputError('initCheckpointId', `checkpoint ${cp.id} belongs to another model`);
    }
    checkFit(model.spec as unknown as ModelSpec, await datasetGeometry(dataset), 'datasetId');
    const config: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, ...p.config };
    return this.prisma.$transaction(async (tx) => {
      const job = await tx.job.create({ data: { kind: 'training', payload: {}, priority: p.priority ?? 0, maxAttempts: p.maxAttempts ?? 3 } });
      const run = await tx.trainingRun.create({
        data: {
          modelId: model.id,
          datasetId: dataset.id,
          initCheckpointId: p.initCheckpointId ?? null,
          config: config as unknown as Prisma.InputJsonObject,
          backend: p.backend ?? 'auto',
          jobId: job.id,
        },
      });
      await tx.job.update({ where: { id: job.id }, data: { payload: { trainingRunId: run.id } } });
      return run;
    });
  }

  async get(id: number): Promise<TrainingRun> {
    const row = await this.prisma.trainingRun.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw new NotFoundError('TrainingRun', id);
    return row;
  }

  async byJob(jobId: number): Promise<TrainingRun | null> {
    return this.prisma.trainingRun.findUnique({ where: { jobId } });
  }

  async list(filter: RunFilter = {}, page: PageArgs = {}): Promise<Page<TrainingRun>> {
    const where = trainingRunWhere(filter);
    return paginate(
      page,
      (id, take) => this.prisma.trainingRun.findMany({ where: { ...where, id }, orderBy: { id: 'asc' }, take }),
      () => this.prisma.trainingRun.count({ where }),
    );
  }

  /** Batch lookup for DataLoaders: metrics of each run, optionally one unit, ordered by step. */
  async metricsOf(runIds: readonly number[], unit?: string): Promise<TrainingMetric[][]> {
    const rows = await this.prisma.trainingMetric.findMany({
      where: { trainingRunId: { in: [...runIds] }, ...(unit && { unit }) },
      orderBy: [{ trainingRunId: 'asc' }, { unit: 'asc' }, { name: 'asc' }, { step: 'asc' }],
    });
    return runIds.map((id) => rows.filter((r) => r.trainingRunId === id));
  }

  async recordEpoch(runId: number, rec: EpochRecord): Promise<void> {
    const rows = EPOCH_FIELDS.filter((k) => Number.isFinite(rec[k])).map((name) => ({ trainingRunId: runId, unit: 'epoch', name, step: rec.epoch, value: rec[name] }));
    await this.prisma.$transaction([
      this.prisma.trainingMetric.deleteMany({ where: { trainingRunId: runId, unit: 'epoch', step: rec.epoch } }),
      this.prisma.trainingMetric.createMany({ data: rows }),
      this.prisma.trainingRun.update({ where: { id: runId }, data: { epochsCompleted: rec.epoch } }),
    ]);
  }

  async recordIterations(runId: number, its: readonly { iteration: number; loss: number; lr: number }[]): Promise<void> {
    const rows = its.flatMap((it) => [
      { trainingRunId: runId, unit: 'iteration', name: 'loss', step: it.iteration, value: it.loss },
      { trainingRunId: runId, unit: 'iteration', name: 'learningRate', step: it.iteration, value: it.lr },
    ]).filter((r) => Number.isFinite(r.value));
    if (rows.length === 0) return;
    const first = its[0]!.iteration;
    await this.prisma.$transaction([
      this.prisma.trainingMetric.deleteMany({ where: { trainingRunId: runId, unit: 'iteration', step: { gte: first } } }),
      this.prisma.trainingMetric.createMany({ data: rows }),
    ]);
  }

  /** A retried run starts its curves again. */
  async resetMetrics(runId: number): Promise<void> {
    await this.prisma.trainingMetric.deleteMany({ where: { trainingRunId: runId } });
  }

  /** Stores the weights as a checkpoint, then marks run and job SUCCEEDED in one transaction. */
  async complete(runId: number, jobId: number, out: TrainingOutput): Promise<TrainingRun> {
    const run = await this.get(runId);
    const bestSoFar = await this.prisma.checkpointAlias.findUnique({ where: { modelId_alias: { modelId: run.modelId, alias: 'best' } }, include: { checkpoint: { include: { producedBy: true } } } });
    const prev = bestSoFar?.checkpoint.producedBy;
    const isBest = !prev || prev.metricName !== out.metricName || prev.bestMetric == null || out.bestMetric >= prev.bestMetric;
    const cp = await this.checkpoints.create({
      modelId: run.modelId,
      weights: out.weights,
      manifest: out.manifest,
      trainingRunId: runId,
      source: `training run ${runId}`,
      aliases: isBest ? ['latest', 'best'] : ['latest'],
    });
    await this.jobs.finish(jobId, 'SUCCEEDED', {
      result: { checkpointId: cp.id, bestEpoch: out.bestEpoch, bestMetric: Number.isFinite(out.bestMetric) ? out.bestMetric : null },
      extra: async (tx) => {
        await tx.trainingRun.update({
          where: { id: runId },
          data: { resultCheckpointId: cp.id, bestEpoch: out.bestEpoch, bestMetric: Number.isFinite(out.bestMetric) ? out.bestMetric : null, metricName: out.metricName, backendUsed: out.backendUsed },
        });
      },
    });
    return this.get(runId);
  }

  async softDelete(id: number): Promise<TrainingRun> {
    await this.get(id);
    return this.prisma.trainingRun.update({ where: { id }, data: { deletedAt: new Date() } });
  }
}
