// Conversion runs: validated and created with their job; finished by writing the summary, every
// per-step metric and every layer statistic in the same transaction as the SUCCEEDED status.
import { DEFAULT_CONVERSION_CONFIG, type CheckpointManifest, type ConversionConfig, type ConversionResult } from '../formats/index.js';
import type { ConversionRun, Prisma, PrismaClient } from './db.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import type { JobService } from './jobs.js';
import { type Page, type PageArgs, paginate } from './pagination.js';
import { checkFit, conversionRunWhere, datasetGeometry, type RunFilter } from './runs.js';

export type { ConversionRun } from './db.js';

export interface StartConversionParams {
  checkpointId: number;
  datasetId: number;
  config?: Partial<ConversionConfig>;
  maxSamples?: number | null;
  backend?: string | null;
  priority?: number | null;
  maxAttempts?: number | null;
}

/** Partial results kept when a run fails or is cancelled: running per-step estimates. */
export interface PartialConversion {
  samples: number;
  stepMetrics: Record<string, number[]>;
}

type Tx = Prisma.TransactionClient;

/** Bounds of design/conversion.md, checked before anything is queued. */
export function checkConversionConfig(c: ConversionConfig): void {
  const int = (v: number, lo: number, hi: number, field: string): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new InvalidInputError(field, `must be an integer in ${lo}..${hi}, got ${v}`);
  };
  int(c.timeSteps, 1, 4096, 'timeSteps');
  if (!(c.percentile > 0 && c.percentile <= 1)) throw new InvalidInputError('percentile', `must be in (0, 1], got ${c.percentile}`);
  int(c.gamma, 1, 1_000_000, 'gamma');
  int(c.calibrationBatches, 1, 100_000, 'calibrationBatches');
  int(c.batchSize, 1, 65_536, 'batchSize');
  if (c.maxPool !== 'lipool' && c.maxPool !== 'gate') throw new InvalidInputError('maxPool', 'must be lipool or gate');
  if (c.reset !== 'subtract' && c.reset !== 'zero') throw new InvalidInputError('reset', 'must be subtract or zero');
  if (!Number.isFinite(c.vInit)) throw new InvalidInputError('vInit', 'must be a finite number');
}

async function insertStepMetrics(tx: Tx, runId: number, stepMetrics: Record<string, number[]>): Promise<void> {
  const rows = Object.entries(stepMetrics).flatMap(([name, values]) =>
    values.map((value, i) => ({ conversionRunId: runId, name, step: i + 1, value })).filter((r) => Number.isFinite(r.value)),
  );
  await tx.stepMetric.deleteMany({ where: { conversionRunId: runId } });
  for (let i = 0; i < rows.length; i += 5000) await tx.stepMetric.createMany({ data: rows.slice(i, i + 5000) });
}

export class ConversionRunService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly jobs: JobService,
  ) {}

  async start(p: StartConversionParams): Promise<ConversionRun> {
    const config: ConversionConfig = { ...DEFAULT_CONVERSION_CONFIG, ...p.config };
    checkConversionConfig(config);
    if (p.maxSamples != null && (!Number.isInteger(p.maxSamples) || p.maxSamples < 1)) throw new InvalidInputError('maxSamples', 'must be a positive integer');
    const cp = await this.prisma.checkpoint.findFirst({ where: { id: p.checkpointId, deletedAt: null } });
    if (!cp) throw new NotFoundError('Checkpoint', p.checkpointId);
    const dataset = await this.prisma.dataset.findFirst({ where: { id: p.datasetId, deletedAt: null } });
    if (!dataset) throw new NotFoundError('Dataset', p.datasetId);
    const geo = await datasetGeometry(dataset);
    checkFit((cp.manifest as unknown as CheckpointManifest).spec, geo, 'checkpointId');
    return this.prisma.$transaction(async (tx) => {
      const job = await tx.job.create({ data: { kind: 'conversion', payload: {}, priority: p.priority ?? 0, maxAttempts: p.maxAttempts ?? 3 } });
      const run = await tx.conversionRun.create({
        data: { checkpointId: cp.id, datasetId: dataset.id, ...config, maxSamples: p.maxSamples ?? null, backend: p.backend ?? 'auto', task: geo.task, jobId: job.id },
      });
      await tx.job.update({ where: { id: job.id }, data: { payload: { conversionRunId: run.id } } });
      return run;
    });
  }

  async get(id: number): Promise<ConversionRun> {
    const row = await this.prisma.conversionRun.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw new NotFoundError('ConversionRun', id);
    return row;
  }

  async getMany(ids: readonly number[]): Promise<(ConversionRun | null)[]> {
    const rows = await this.prisma.conversionRun.findMany({ where: { id: { in: [...ids] }, deletedAt: null } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async byJob(jobId: number): Promise<ConversionRun | null> {
    return this.prisma.conversionRun.findUnique({ where: { jobId } });
  }

  async list(filter: RunFilter = {}, page: PageArgs = {}): Promise<Page<ConversionRun>> {
    const where = conversionRunWhere(filter);
    return paginate(
      page,
      (id, take) => this.prisma.conversionRun.findMany({ where: { ...where, id }, orderBy: { id: 'asc' }, take }),
      () => this.prisma.conversionRun.count({ where }),
    );
  }

  /** The config a worker runs with, rebuilt from the run's columns. */
  configOf(run: ConversionRun): ConversionConfig {
    const { timeSteps, percentile, gamma, channelWise, vInit, calibrationBatches, batchSize, seed } = run;
    return { timeSteps, percentile, gamma, channelWise, maxPool: run.maxPool as ConversionConfig['maxPool'], reset: run.reset as ConversionConfig['reset'], vInit, calibrationBatches, batchSize, seed };
  }

  /** Summary, step metrics, layer stats and SUCCEEDED: one transaction, all or nothing. */
  async complete(runId: number, jobId: number, r: ConversionResult): Promise<void> {
    const s = r.summary;
    const finite = (v: number | null): number | null => (v != null && Number.isFinite(v) ? v : null);
    await this.jobs.finish(jobId, 'SUCCEEDED', {
      result: { conversionRunId: runId, best: finite(s.best), bestStep: s.bestStep },
      extra: async (tx) => {
        await insertStepMetrics(tx, runId, r.stepMetrics);
        await tx.layerStat.deleteMany({ where: { conversionRunId: runId } });
        await tx.layerStat.createMany({
          data: r.layerStats.map((l, position) => ({ conversionRunId: runId, position, site: l.site, kind: l.kind, neurons: l.neurons, lambda: l.lambda, lambdaMin: l.lambdaMin, lambdaMax: l.lambdaMax, firingRate: finite(l.firingRate) ?? 0, sops: finite(l.sops) ?? 0 })),
        });
        await tx.conversionRun.update({
          where: { id: runId },
          data: {
            task: r.task,
            backendUsed: r.backend,
            annMetrics: r.annMetrics,
            primaryMetric: s.primaryMetric,
            annValue: finite(s.annValue),
            best: finite(s.best),
            bestStep: s.bestStep,
            firstStepWithin1: s.firstStepWithin1,
            lossAtT: finite(s.lossAtT),
            sops: finite(s.sops),
            annMacs: finite(s.annMacs),
            energyRatio: finite(s.energyRatio),
            eAcPj: s.eAcPj,
            eMacPj: s.eMacPj,
            samples: r.samples,
            warnings: r.warnings,
            ...(r.panels && { panels: r.panels as unknown as Prisma.InputJsonArray }),
          },
        });
      },
    });
  }

  /** FAILED or CANCELLED, keeping whatever running per-step estimates the worker had sent. */
  async abort(runId: number, jobId: number, status: 'FAILED' | 'CANCELLED', error: string, partial: PartialConversion | null): Promise<void> {
    await this.jobs.finish(jobId, status, {
      error,
      extra: async (tx) => {
        if (!partial) return;
        await insertStepMetrics(tx, runId, partial.stepMetrics);
        await tx.conversionRun.update({ where: { id: runId }, data: { samples: partial.samples, warnings: [`partial: per-step metrics over the first ${partial.samples} test samples only`] } });
      },
    });
  }

  /** A retried run starts with no metrics. */
  async resetResults(runId: number): Promise<void> {
    await this.prisma.$transaction([this.prisma.stepMetric.deleteMany({ where: { conversionRunId: runId } }), this.prisma.layerStat.deleteMany({ where: { conversionRunId: runId } })]);
  }

  async softDelete(id: number): Promise<ConversionRun> {
    await this.get(id);
    return this.prisma.conversionRun.update({ where: { id }, data: { deletedAt: new Date() } });
  }
}
