// Conversion runs: validated and created with their job (or answered by an identical SUCCEEDED run,
// identical.ts); finished by writing the summary, every per-step metric and every layer statistic in
// the same transaction as the SUCCEEDED status.
import { z } from 'zod';
import { ENGINE_VERSION } from '../engine/version.js';
import { batchSumsSchema, CONVERSION_BACKENDS, type BatchSums, DEFAULT_CONVERSION_CONFIG, JOB_FIELDS, conversionConfigSchema, summariseSeries, taskConfigIssues, valueSchema, type ConversionConfig, type ConversionResult, type SegmentationPanel } from '../formats/index.js';
import type { Prisma, PrismaClient } from './db.js';
import { InvalidInputError, JobNotHeldError, NotFoundError } from './errors.js';
import { parseInput, type Loose } from './input.js';
import type { Provider } from './provider.js';
import type { JobService } from './jobs.js';
import { type Page, type PageArgs, mapPage, paginate } from './pagination.js';
import { findIdenticalRun } from './identical.js';
import { CONVERSION_RUN_OMIT, checkpointRecord, conversionConfigOf, conversionRunRecord, datasetRecord, jobRecord, lambdasOf, lambdasSchema, panelsOf, panelsSchema, toJson, annMetricsSchema, earlyExitSchema, analogOpsSchema, warningsSchema, type Checkpoint, type ConversionRun, type Dataset, type Job } from './records.js';
import { checkFit, conversionRunWhere, datasetGeometry, type DatasetGeometry, type RunFilter } from './runs.js';

export type { ConversionRun } from './records.js';

export const startConversionSchema = z.object({
  checkpointId: z.number().int().positive(),
  datasetId: z.number().int().positive(),
  config: conversionConfigSchema.nullish(),
  maxSamples: valueSchema(JOB_FIELDS.maxSamples).nullish(),
  /** ONNX Runtime execution provider (default auto: the server's choice). */
  backend: z.enum(CONVERSION_BACKENDS, { error: `must be one of ${CONVERSION_BACKENDS.join(', ')}` }).nullish(),
  priority: valueSchema(JOB_FIELDS.priority).nullish(),
  maxAttempts: valueSchema(JOB_FIELDS.maxAttempts).nullish(),
  /** true: compute again even when an identical run succeeded before. */
  force: z.boolean().nullish(),
});
export type StartConversionParams = Loose<z.input<typeof startConversionSchema>>;

/** What rebuilds a finished run's SNN (engine exportSnn): its checkpoint, config and calibrated λ. */
export interface SnnExportInputs {
  run: ConversionRun;
  config: ConversionConfig;
  lambdas: Record<string, number[]>;
}

/** One finished test batch as a worker reports it: its own sums, and the running metrics after it. */
export interface BatchCommit {
  sums: BatchSums;
  /** Test samples simulated so far (this batch and every earlier one). */
  samples: number;
  /** Running per-step metrics over those samples. */
  stepMetrics: Record<string, number[]>;
}

/** The answer to a conversion request: a new QUEUED run, or an identical SUCCEEDED one from the registry (cached). */
export interface ConversionRequest {
  run: ConversionRun;
  cached: boolean;
  /** The queued job computing the run (absent when the run came from the registry, cached). */
  job?: Job;
}

/** What a conversion of this checkpoint on this data set needs, checked (NOT_FOUND, misfit → BAD_USER_INPUT on `field`). */
export interface ConversionInputs {
  checkpoint: Checkpoint;
  dataset: Dataset;
  geometry: DatasetGeometry;
}

type Tx = Prisma.TransactionClient;

export async function checkConversionInputs(prisma: PrismaClient, checkpointId: number, datasetId: number, field = 'checkpointId'): Promise<ConversionInputs> {
  const cpRow = await prisma.checkpoint.findFirst({ where: { id: checkpointId, deletedAt: null } });
  if (!cpRow) throw new NotFoundError('Checkpoint', checkpointId);
  const dsRow = await prisma.dataset.findFirst({ where: { id: datasetId, deletedAt: null } });
  if (!dsRow) throw new NotFoundError('Dataset', datasetId);
  const checkpoint = checkpointRecord(cpRow);
  const dataset = datasetRecord(dsRow);
  const geometry = await datasetGeometry(dataset);
  checkFit(checkpoint.manifest.spec, geometry, field);
  return { checkpoint, dataset, geometry };
}

/**
 * Refuses options the data set's task cannot use (taskConfigIssues: the readout is segmentation's,
 * early exit classification's) as BAD_USER_INPUT on `<prefix>.<field>`, before anything is stored.
 */
export function checkTaskOptions(config: ConversionConfig, dataset: Pick<Dataset, 'name'>, geometry: Pick<DatasetGeometry, 'task'>, prefix: string): void {
  const [misplaced, ...more] = taskConfigIssues(config, geometry.task).map((i) => ({ field: `${prefix}.${i.path}`, message: `${i.message} (data set ${dataset.name} is ${geometry.task})` }));
  if (misplaced !== undefined) throw new InvalidInputError(misplaced.field, misplaced.message, more);
}

const finite = (v: number | null | undefined): number | null => (v != null && Number.isFinite(v) ? v : null);

/** A run's results (summary, every step metric and the summaries of the other metrics, layer stats, the engine version): inside the caller's transaction. */
async function writeResult(tx: Tx, provider: Provider, runId: number, r: ConversionResult): Promise<void> {
  const s = r.summary;
  await insertStepMetrics(tx, provider, runId, r.stepMetrics);
  // the final series supersedes the per-batch sums a retry would have resumed from
  await tx.conversionBatch.deleteMany({ where: { conversionRunId: runId } });
  await tx.metricSummary.deleteMany({ where: { conversionRunId: runId } });
  await tx.metricSummary.createMany({ data: metricSummaries(runId, r) });
  await tx.layerStat.deleteMany({ where: { conversionRunId: runId } });
  await tx.layerStat.createMany({
    data: r.layerStats.map((l, position) => ({ conversionRunId: runId, position, site: l.site, kind: l.kind, neurons: l.neurons, lambda: l.lambda, lambdaMin: l.lambdaMin, lambdaMax: l.lambdaMax, firingRate: finite(l.firingRate) ?? 0, sops: finite(l.sops) ?? 0 })),
  });
  await tx.conversionRun.update({
    where: { id: runId },
    data: {
      task: r.task,
      backendUsed: r.backend,
      engineVersion: ENGINE_VERSION,
      annMetrics: toJson(annMetricsSchema, Object.fromEntries(Object.entries(r.annMetrics).filter(([, v]) => Number.isFinite(v)))),
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
      warnings: toJson(warningsSchema, r.warnings),
      ...(r.panels && { panels: toJson(panelsSchema, r.panels) }),
      ...(r.lambdas && { lambdas: toJson(lambdasSchema, r.lambdas) }),
      ...(r.earlyExit && { earlyExit: toJson(earlyExitSchema, r.earlyExit) }),
      ...(r.hybrid && { hybrid: true, analogOps: toJson(analogOpsSchema, r.hybrid.analogOps) }),
    },
  });
}

/** The running series of a conversion after batch `b`, and the sample count it covers. */
async function writeRunningSeries(tx: Tx, provider: Provider, runId: number, b: BatchCommit): Promise<void> {
  await insertStepMetrics(tx, provider, runId, b.stepMetrics);
  await tx.conversionRun.update({ where: { id: runId }, data: { samples: b.samples } });
}

/**
 * One statement per metric, its series as one JSON array parameter that the database expands
 * (JSON writes NaN and ±Infinity as null: those steps are not recorded). Prisma's createMany cost
 * about 50 µs a row on the main thread: a T = 4096 series of five metrics held the event loop for
 * over a second. (metrics.ts's ingestStepMetrics is not usable here: it runs on the raw connection,
 * outside the transaction these writes belong to, and on SQLite a second handle would wait
 * synchronously for this transaction's write lock.)
 */
const SERIES_INSERT: Record<Provider, string> = {
  sqlite: 'INSERT INTO "StepMetric" ("conversionRunId", "name", "step", "value") SELECT ?, ?, j.key + 1, j.value FROM json_each(?) AS j WHERE j.type IN (\'integer\', \'real\')',
  postgresql: 'INSERT INTO "StepMetric" ("conversionRunId", "name", "step", "value") SELECT $1::int, $2::text, t.ord::int, t.v::float8 FROM jsonb_array_elements_text($3::jsonb) WITH ORDINALITY AS t(v, ord) WHERE t.v IS NOT NULL',
};

async function insertStepMetrics(tx: Tx, provider: Provider, runId: number, stepMetrics: Record<string, number[]>): Promise<void> {
  await tx.stepMetric.deleteMany({ where: { conversionRunId: runId } });
  for (const [name, values] of Object.entries(stepMetrics)) await tx.$executeRawUnsafe(SERIES_INSERT[provider], runId, name, JSON.stringify(values));
}

/**
 * The summaries of a run's metrics other than its primary one (whose summary is on the run), for
 * compare: by the one summary function over the series at steps 1..T (a step with no finite value
 * counts as not recorded, as when compare reads a stored series).
 */
function metricSummaries(runId: number, r: ConversionResult): Prisma.MetricSummaryCreateManyInput[] {
  return Object.entries(r.stepMetrics)
    .filter(([name]) => name !== r.summary.primaryMetric)
    .map(([name, values]) => {
      const ann = finite(r.annMetrics[name]);
      const series = new Float64Array(r.config.timeSteps).fill(NaN);
      values.forEach((v, i) => {
        if (i < series.length && Number.isFinite(v)) series[i] = v;
      });
      const m = summariseSeries(ann ?? NaN, series);
      return { conversionRunId: runId, name, annValue: ann, best: finite(m.best), bestStep: Number.isFinite(m.best) ? m.bestStep : null, firstStepWithin1: m.firstStepWithin1, lossAtT: finite(m.lossAtT) };
    });
}

/** The least time between two writes of a running conversion's series (commitBatches). */
const SERIES_INTERVAL_MS = 2000;

export class ConversionRunService {
  /** Per running conversion: when its series may be written next, and the batch not written yet. */
  private readonly series = new Map<number, { dueAt: number; unwritten: BatchCommit | null }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly jobs: JobService,
    private readonly provider: Provider,
  ) {}

  /**
   * Checks everything a worker would need (bounds of src/formats included). Then, unless `force`,
   * answers with an identical SUCCEEDED run (identical.ts: cached, nothing queued); otherwise
   * creates the run and its queued job together.
   */
  async request(params: StartConversionParams): Promise<ConversionRequest> {
    const p = parseInput(startConversionSchema, params);
    const config: ConversionConfig = p.config ?? DEFAULT_CONVERSION_CONFIG;
    const { checkpoint, dataset, geometry } = await checkConversionInputs(this.prisma, p.checkpointId, p.datasetId);
    checkTaskOptions(config, dataset, geometry, 'config');
    const maxSamples = p.maxSamples ?? null;
    if (p.force !== true) {
      const hit = await findIdenticalRun(this.prisma, { checkpoint, datasetId: dataset.id, maxSamples, config });
      if (hit) return { run: hit, cached: true };
    }
    const { run, job } = await this.prisma.$transaction(async (tx) => {
      const created = await tx.job.create({ data: { kind: 'conversion', payload: {}, priority: p.priority ?? 0, maxAttempts: p.maxAttempts ?? 3 } });
      const run = await tx.conversionRun.create({
        data: { checkpointId: checkpoint.id, datasetId: dataset.id, ...config, maxSamples, backend: p.backend ?? 'auto', task: geometry.task, jobId: created.id },
        omit: CONVERSION_RUN_OMIT,
      });
      const job = await tx.job.update({ where: { id: created.id }, data: { payload: { conversionRunId: run.id } } });
      return { run, job };
    });
    return { run: conversionRunRecord(run), cached: false, job: jobRecord(job) };
  }

  /** Queues a new run whatever the registry holds (request with force). */
  async start(params: StartConversionParams): Promise<ConversionRun> {
    return (await this.request({ ...params, force: true })).run;
  }

  async get(id: number): Promise<ConversionRun> {
    const row = await this.prisma.conversionRun.findFirst({ where: { id, deletedAt: null }, omit: CONVERSION_RUN_OMIT });
    if (!row) throw new NotFoundError('ConversionRun', id);
    return conversionRunRecord(row);
  }

  async byJob(jobId: number): Promise<ConversionRun | null> {
    const row = await this.prisma.conversionRun.findUnique({ where: { jobId }, omit: CONVERSION_RUN_OMIT });
    return row && conversionRunRecord(row);
  }

  /** The segmentation panels of a run (null for classification runs). */
  async panels(id: number): Promise<SegmentationPanel[] | null> {
    const row = await this.prisma.conversionRun.findUnique({ where: { id }, select: { panels: true } });
    return row ? panelsOf(id, row.panels) : null;
  }

  /**
   * The inputs of a run's SNN export: only a SUCCEEDED run has its λ (InvalidInputError otherwise,
   * and for runs finished before λ were stored).
   */
  async exportInputs(id: number): Promise<SnnExportInputs> {
    const run = await this.get(id);
    if (run.status !== 'SUCCEEDED') throw new InvalidInputError('runId', `conversion run ${id} is ${run.status}: only a SUCCEEDED run has an SNN to export`);
    const row = await this.prisma.conversionRun.findUnique({ where: { id }, select: { lambdas: true } });
    const lambdas = lambdasOf(id, row?.lambdas ?? null);
    if (lambdas === null) throw new InvalidInputError('runId', `conversion run ${id} finished before Spikelab stored calibrated λ with each run: convert the checkpoint again to export its SNN`);
    return { run, config: this.configOf(run), lambdas };
  }

  async list(filter: RunFilter = {}, page: PageArgs = {}): Promise<Page<ConversionRun>> {
    const where = conversionRunWhere(filter);
    const rows = await paginate(
      page,
      (q) => this.prisma.conversionRun.findMany({ where: { ...where, id: q.id }, orderBy: q.orderBy, take: q.take, omit: CONVERSION_RUN_OMIT }),
      () => this.prisma.conversionRun.count({ where }),
    );
    return mapPage(rows, conversionRunRecord);
  }

  /** The config a worker runs with, rebuilt from the run's columns. */
  configOf(run: ConversionRun): ConversionConfig {
    return conversionConfigOf(run);
  }

  /** Summary, step metrics and their summaries, layer stats and SUCCEEDED: one transaction, all or nothing. */
  async complete(runId: number, jobId: number, r: ConversionResult): Promise<Job> {
    this.series.delete(runId);
    const s = r.summary;
    return this.jobs.finish(jobId, 'SUCCEEDED', {
      result: { conversionRunId: runId, best: s.best != null && Number.isFinite(s.best) ? s.best : null, bestStep: s.bestStep },
      extra: (tx) => writeResult(tx, this.provider, runId, r),
    });
  }

  /**
   * One point of a sweep job: the run's results and SUCCEEDED in one transaction, while the job
   * still runs it (false, nothing written, when the run has ended meanwhile).
   */
  async storePoint(runId: number, r: ConversionResult): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.conversionRun.updateMany({ where: { id: runId, status: 'RUNNING' }, data: { status: 'SUCCEEDED', finishedAt: new Date(), error: null } });
      if (count === 0) return false;
      await writeResult(tx, this.provider, runId, r);
      return true;
    });
  }

  /**
   * Commits finished test batches, in the order they finished (a backlog of commits on a busy
   * database becomes one transaction): each batch's sums, keyed by batch index (committing the same
   * batch again changes nothing), only while job `jobId` is RUNNING and held by `workerId`
   * (JobNotHeldError otherwise: a worker that lost the job must stop). A kill after this keeps the
   * batches; the next attempt resumes after them.
   *
   * The running per-step series (T rows per metric) and the run's sample count follow the last new
   * batch at a bounded rate: on the first commit, then no sooner than SERIES_INTERVAL_MS, or ten
   * times the last series write's duration, after the previous write. Rewritten after every batch,
   * a long series held SQLite's synchronous driver, and with it the API, for most of a conversion
   * (a cancel landed only after the run had ended). A batch whose series is not written yet is kept
   * here, and written by abort.
   */
  async commitBatches(runId: number, jobId: number, workerId: string | null, batches: readonly BatchCommit[]): Promise<void> {
    const parsed = batches.map((b) => ({ ...b, sums: batchSumsSchema.parse(b.sums) }));
    if (parsed.length === 0) return;
    const series = this.series.get(runId) ?? { dueAt: 0, unwritten: null };
    this.series.set(runId, series);
    await this.prisma.$transaction(async (tx) => {
      const job = await tx.job.findUnique({ where: { id: jobId }, select: { status: true, workerId: true, attempts: true } });
      if (!job || job.status !== 'RUNNING' || (workerId !== null && job.workerId !== workerId)) {
        if (job?.status !== 'RUNNING') this.series.delete(runId); // ended elsewhere (another replica finished it): nothing more to write from here
        throw new JobNotHeldError(jobId, workerId);
      }
      let last: BatchCommit | null = null;
      for (const b of parsed) {
        const key = { conversionRunId_batch: { conversionRunId: runId, batch: b.sums.batch } };
        if (await tx.conversionBatch.findUnique({ where: key, select: { batch: true } })) continue;
        await tx.conversionBatch.create({ data: { conversionRunId: runId, batch: b.sums.batch, samples: b.sums.samples, sums: b.sums.sums, attempt: job.attempts } });
        last = b;
      }
      if (last === null) return;
      if (Date.now() < series.dueAt) {
        series.unwritten = last;
        return;
      }
      const started = Date.now();
      await writeRunningSeries(tx, this.provider, runId, last);
      series.unwritten = null;
      series.dueAt = Date.now() + Math.max(SERIES_INTERVAL_MS, 10 * (Date.now() - started));
    });
  }

  /** The batches committed so far (what a retried attempt resumes from), in batch order. */
  async batchesOf(runId: number): Promise<BatchSums[]> {
    const rows = await this.prisma.conversionBatch.findMany({ where: { conversionRunId: runId }, orderBy: { batch: 'asc' } });
    return rows.map((r) => batchSumsSchema.parse({ batch: r.batch, samples: r.samples, sums: r.sums }));
  }

  /**
   * FAILED or CANCELLED, keeping the running per-step metrics of the batches committed so far
   * (with the series commitBatches had not written yet).
   */
  async abort(runId: number, jobId: number, status: 'FAILED' | 'CANCELLED', error: string): Promise<Job> {
    const unwritten = this.series.get(runId)?.unwritten ?? null;
    this.series.delete(runId);
    return this.jobs.finish(jobId, status, {
      error,
      extra: async (tx) => {
        if (unwritten) await writeRunningSeries(tx, this.provider, runId, unwritten);
        const run = await tx.conversionRun.findUnique({ where: { id: runId }, select: { samples: true } });
        if (run?.samples) await tx.conversionRun.update({ where: { id: runId }, data: { warnings: [`partial: per-step metrics over the first ${run.samples} test samples only`] } });
      },
    });
  }

  /** A retried run keeps its committed batches (it resumes after them); layer stats are recomputed. */
  async resetResults(runId: number): Promise<void> {
    this.series.delete(runId);
    // (the running series stays too: the resumed attempt's first commit replaces it)
    await this.prisma.$transaction([
      this.prisma.metricSummary.deleteMany({ where: { conversionRunId: runId } }),
      this.prisma.layerStat.deleteMany({ where: { conversionRunId: runId } }),
    ]);
  }

  async softDelete(id: number): Promise<ConversionRun> {
    await this.get(id);
    return conversionRunRecord(await this.prisma.conversionRun.update({ where: { id }, data: { deletedAt: new Date() }, omit: CONVERSION_RUN_OMIT }));
  }
}
