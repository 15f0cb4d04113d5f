// Training runs: created together with their job, fed per-epoch / per-iteration metrics while the
// job runs, and finished by storing the best weights as a checkpoint aliased 'latest' (and 'best'
// when no earlier run of the model scored higher).
import { z } from 'zod';
import { BACKENDS, DEFAULT_TRAINING_CONFIG, JOB_FIELDS, storedTrainingConfigSchema, trainingConfigSchema, valueSchema, type CheckpointManifest, type EpochRecord } from '../formats/index.js';
import type { CheckpointService } from './checkpoints.js';
import type { PrismaClient, TrainingMetric } from './db.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { parseInput, type Loose } from './input.js';
import type { JobService } from './jobs.js';
import { type Page, type PageArgs, mapPage, paginate } from './pagination.js';
import { datasetRecord, modelRecord, toJson, trainingRunRecord, type Job, type TrainingRun } from './records.js';
import { checkFit, datasetGeometry, trainingRunWhere, type RunFilter } from './runs.js';

export type { TrainingRun } from './records.js';
export type { TrainingMetric } from './db.js';

export const startTrainingSchema = z.object({
  modelId: z.number().int().positive(),
  datasetId: z.number().int().positive(),
  /** Start from these weights (fine-tuning); default random init. */
  initCheckpointId: z.number().int().positive().nullish(),
  config: trainingConfigSchema.nullish(),
  /** TensorFlow.js backend (default auto: the server's SPIKELAB_BACKEND). */
  backend: z.enum(BACKENDS, { error: `must be one of ${BACKENDS.join(', ')}` }).nullish(),
  priority: valueSchema(JOB_FIELDS.priority).nullish(),
  maxAttempts: valueSchema(JOB_FIELDS.maxAttempts).nullish(),
});
export type StartTrainingParams = Loose<z.input<typeof startTrainingSchema>>;

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
  async start(params: StartTrainingParams): Promise<TrainingRun> {
    const p = parseInput(startTrainingSchema, params);
    const modelRow = await this.prisma.model.findFirst({ where: { id: p.modelId, deletedAt: null } });
    if (!modelRow) throw new NotFoundError('Model', p.modelId);
    const model = modelRecord(modelRow);
    if (model.architecture === 'onnx') {
      throw new InvalidInputError('modelId', `model ${model.name} was imported from an ONNX file: it can be converted, compared and exported, but not trained here (training builds zoo architectures in TensorFlow.js; fine-tune it where it was made and import the new file)`);
    }
    const dsRow = await this.prisma.dataset.findFirst({ where: { id: p.datasetId, deletedAt: null } });
    if (!dsRow) throw new NotFoundError('Dataset', p.datasetId);
    const dataset = datasetRecord(dsRow);
    if (p.initCheckpointId != null) {
      const cp = await this.prisma.checkpoint.findFirst({ where: { id: p.initCheckpointId, deletedAt: null } });
      if (!cp) throw new NotFoundError('Checkpoint', p.initCheckpointId);
      if (cp.modelId !== model.id) throw new InvalidInputError('initCheckpointId', `checkpoint ${cp.id} belongs to another model`);
    }
    checkFit(model.spec, await datasetGeometry(dataset), 'datasetId');
    const config = p.config ?? DEFAULT_TRAINING_CONFIG;
    const run = await this.prisma.$transaction(async (tx) => {
      const job = await tx.job.create({ data: { kind: 'training', payload: {}, priority: p.priority ?? 0, maxAttempts: p.maxAttempts ?? 3 } });
      const run = await tx.trainingRun.create({
        data: {
          modelId: model.id,
          datasetId: dataset.id,
          initCheckpointId: p.initCheckpointId ?? null,
          config: toJson(storedTrainingConfigSchema, config),
          backend: p.backend ?? 'auto',
          jobId: job.id,
        },
      });
      await tx.job.update({ where: { id: job.id }, data: { payload: { trainingRunId: run.id } } });
      return run;
    });
    return trainingRunRecord(run);
  }

  async get(id: number): Promise<TrainingRun> {
    const row = await this.prisma.trainingRun.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw new NotFoundError('TrainingRun', id);
    return trainingRunRecord(row);
  }

  async byJob(jobId: number): Promise<TrainingRun | null> {
    const row = await this.prisma.trainingRun.findUnique({ where: { jobId } });
    return row && trainingRunRecord(row);
  }

  async list(filter: RunFilter = {}, page: PageArgs = {}): Promise<Page<TrainingRun>> {
    const where = trainingRunWhere(filter);
    const rows = await paginate(
      page,
      (q) => this.prisma.trainingRun.findMany({ where: { ...where, id: q.id }, orderBy: q.orderBy, take: q.take }),
      () => this.prisma.trainingRun.count({ where }),
    );
    return mapPage(rows, trainingRunRecord);
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

  /** Stores the weights as a checkpoint, then marks run and job SUCCEEDED in one transaction; returns the ended job. */
  async complete(runId: number, jobId: number, out: TrainingOutput): Promise<Job> {
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
    return this.jobs.finish(jobId, 'SUCCEEDED', {
      result: { checkpointId: cp.id, bestEpoch: out.bestEpoch, bestMetric: Number.isFinite(out.bestMetric) ? out.bestMetric : null },
      extra: async (tx) => {
        await tx.trainingRun.update({
          where: { id: runId },
          data: { resultCheckpointId: cp.id, bestEpoch: out.bestEpoch, bestMetric: Number.isFinite(out.bestMetric) ? out.bestMetric : null, metricName: out.metricName, backendUsed: out.backendUsed },
        });
      },
    });
  }

  async softDelete(id: number): Promise<TrainingRun> {
    await this.get(id);
    return trainingRunRecord(await this.prisma.trainingRun.update({ where: { id }, data: { deletedAt: new Date() } }));
  }
}
