// The job queue and the metric paths against a temporary database: atomic claims, cancellation,
// recovery of dead workers, all-or-nothing completion, bulk ingestion rules, series sampling.
import { makeTempDirs, type TempDirs } from '../api/harness.js';
import { listenHost } from '../../src/graphql/token/auth.js';
import { conversionBackend } from '../../src/jobs/execution.js';
import { defaultSteps } from '../../src/registry/compare.js';
import { DEFAULT_CONVERSION_CONFIG, summariseSeries } from '../../src/formats/index.js';
import { sampleIndices } from '../../src/registry/metrics.js';
import { openRegistry, type Registry } from '../../src/registry/registry.js';
import { sql } from '../db/database.js';

describe('series sampling and default steps', () => {
  it('keeps first, last, minimum and maximum within the budget', () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 50) + (i === 377 ? 5 : 0) + (i === 611 ? -5 : 0));
    const idx = sampleIndices(values, 100);
    expect(idx.length).toBeLessThanOrEqual(100);
    expect(idx.length).toBeGreaterThan(90);
    for (const must of [0, 999, 377, 611]) expect(idx).toContain(must);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    expect(new Set(idx).size).toBe(idx.length);
    expect(sampleIndices([3, 1, 2], 10)).toEqual([0, 1, 2]);
  });

  it('defaults to powers of two up to T, and T', () => {
    expect(defaultSteps(256)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
    expect(defaultSteps(100)).toEqual([1, 2, 4, 8, 16, 32, 64, 100]);
    expect(defaultSteps(1)).toEqual([1]);
  });
});

describe('conversion backends', () => {
  it('are ONNX Runtime providers; a TensorFlow.js name stored before the ONNX Runtime engine means auto', () => {
    expect(conversionBackend('auto')).toBe('auto');
    expect(conversionBackend('cpu')).toBe('cpu');
    expect(conversionBackend('cuda')).toBe('cuda');
    expect(conversionBackend('wasm')).toBe('auto');
    expect(conversionBackend('webgpu')).toBe('auto');
  });
});

describe('listen host without tokens', () => {
  const tokens = (any: boolean) => ({ anyActive: () => Promise.resolve(any) }) as never;
  it('binds loopback and says so until a token exists', async () => {
    const said: string[] = [];
    expect(await listenHost(tokens(false), '0.0.0.0', (m) => said.push(m))).toBe('127.0.0.1');
    expect(said[0]).toMatch(/no API token configured: listening on 127\.0\.0\.1 only/);
    expect(await listenHost(tokens(true), '0.0.0.0', () => undefined)).toBe('0.0.0.0');
  });
});

describe('job queue', () => {
  let tmp: TempDirs;
  let reg: Registry;
  let s: Registry;
  let checkpointId: number;
  let datasetId: number;

  beforeAll(async () => {
    tmp = makeTempDirs();
    reg = await openRegistry({ databaseUrl: tmp.databaseUrl, storeDir: tmp.storeDir });
    s = reg;
    datasetId = (await reg.datasets.register({ name: 'd', format: 'synthetic-classification', imageShape: [8, 8, 1], numClasses: 3 })).id;
    const model = await reg.models.create({ name: 'm', architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 3 });
    const spec = model.spec as never;
    checkpointId = (await reg.checkpoints.create({ modelId: model.id, weights: new Uint8Array([1, 2, 3]), manifest: { format: 'tfjs-layers', spec, weightSpecs: [], createdAt: '' } })).id;
  });
  afterAll(async () => {
    await reg.close();
    tmp.cleanup();
  });

  const newRun = () => s.conversionRuns.start({ checkpointId, datasetId, config: { timeSteps: 8 } });

  it('claims a job of the asked kinds however many jobs of other kinds are queued ahead of it', async () => {
    // with SPIKELAB_QUEUE the server's runner takes only sweeps: 25 conversions queued first must
    // not hide the sweep (the candidates are read 20 at a time)
    const ahead = [];
    for (let i = 0; i < 25; i++) ahead.push((await newRun()).jobId!);
    const sweepJob = (await newRun()).jobId!;
    await s.prisma.job.update({ where: { id: sweepJob }, data: { kind: 'sweep' } });
    expect(await s.jobs.claimNext('w/1/0', (j) => j.kind === 'sweep')).toBeNull();
    expect((await s.jobs.claimNext('w/1/0', undefined, ['sweep']))?.id).toBe(sweepJob);
    expect(await s.jobs.claimNext('w/1/1', undefined, ['sweep'])).toBeNull();
    await s.prisma.job.updateMany({ where: { id: { in: [...ahead, sweepJob] } }, data: { status: 'CANCELLED' } });
  });

  it('gives a queued job to exactly one of two concurrent claimers', async () => {
    const run = await newRun();
    const [a, b] = await Promise.all([s.jobs.claimNext('w/1/0'), s.jobs.claimNext('w/1/1')]);
    expect([a, b].filter((j) => j?.id === run.jobId)).toHaveLength(1);
    expect((await s.conversionRuns.get(run.id)).status).toBe('RUNNING');
    await s.jobs.finish(run.jobId!, 'FAILED', { error: 'test' });
  });

  it('cancels a queued job at once, run included', async () => {
    const run = await newRun();
    const job = await s.jobs.requestCancel(run.jobId!);
    expect(job.status).toBe('CANCELLED');
    expect((await s.conversionRuns.get(run.id)).status).toBe('CANCELLED');
    expect(await s.jobs.claimNext('w/1/0')).toBeNull();
  });

  it('requeues a dead worker’s job, then fails it after maxAttempts', async () => {
    const run = await s.conversionRuns.start({ checkpointId, datasetId, maxAttempts: 2 });
    await s.jobs.claimNext('otherhost/1/0');
    const dead = () => true;
    expect((await s.jobs.recover(dead)).requeued).toEqual([run.jobId]);
    expect((await s.conversionRuns.get(run.id)).status).toBe('QUEUED');
    expect((await s.jobs.claimNext('otherhost/2/0'))?.attempts).toBe(2);
    expect((await s.jobs.recover(dead)).failed).toEqual([run.jobId]);
    const job = await s.jobs.get(run.jobId!);
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatch(/gave up after 2 attempts/);
    expect((await s.conversionRuns.get(run.id)).status).toBe('FAILED');
  });

  it('hands a job back on a graceful stop without counting the attempt (unless it was being cancelled)', async () => {
    const run = await newRun();
    await s.jobs.claimNext('w/1/0');
    expect(await s.jobs.release(run.jobId!, 'the server stopped')).toMatchObject({ status: 'QUEUED', attempts: 0 });
    await s.jobs.claimNext('w/1/0');
    await s.jobs.requestCancel(run.jobId!);
    expect(await s.jobs.release(run.jobId!, 'the server stopped')).toMatchObject({ status: 'CANCELLED' });
    expect((await s.conversionRuns.get(run.id)).status).toBe('CANCELLED');
  });

  it('writes nothing when a completion fails half-way', async () => {
    const run = await newRun();
    await s.jobs.claimNext('w/1/0');
    await expect(s.jobs.finish(run.jobId!, 'SUCCEEDED', {
      extra: async (tx) => {
        await tx.stepMetric.create({ data: { conversionRunId: run.id, name: 'accuracy', step: 1, value: 0.5 } });
        throw new Error('disk full');
      },
    })).rejects.toThrow('disk full');
    expect((await s.jobs.get(run.jobId!)).status).toBe('RUNNING');
    expect(await s.metrics.series(run.id, 'accuracy')).toEqual([]);
    await s.jobs.finish(run.jobId!, 'FAILED', { error: 'test' });
  });

  it('compares any recorded metric by the one summary: an overshoot counts as within 1 point', async () => {
    const run = await newRun();
    expect((await s.jobs.claimNext('w/1/0'))?.id).toBe(run.jobId);
    const stepMetrics = { accuracy: [0.2, 0.5, 0.7, 0.79, 0.8, 0.8, 0.8, 0.8], top5: [0.5, 0.99, 0.95, 0.92, 0.91, 0.9, 0.9, 0.905] };
    const summary = { primaryMetric: 'accuracy', annValue: 0.8, ...summariseSeries(0.8, stepMetrics.accuracy), sops: 0, annMacs: 1, energyRatio: 0, eAcPj: 0.9, eMacPj: 4.6 };
    await s.conversionRuns.complete(run.id, run.jobId!, { task: 'classification', config: { ...DEFAULT_CONVERSION_CONFIG, timeSteps: 8 }, backend: 'cpu', samples: 10, annMetrics: { accuracy: 0.8, top5: 0.9 }, stepMetrics, layerStats: [], summary, warnings: [] });
    const [primary] = (await s.compare.compare({ runIds: [run.id], steps: [2, 8] })).rows;
    expect(primary).toMatchObject({ metric: 'accuracy', firstStepWithin1: 4, bestStep: 5, values: [0.5, 0.8] });
    const [top5] = (await s.compare.compare({ runIds: [run.id], metric: 'top5', steps: [2, 8] })).rows;
    expect(top5).toMatchObject({ metric: 'top5', annValue: 0.9, best: 0.99, bestStep: 2, firstStepWithin1: 2, values: [0.99, 0.905] });
    expect(top5!.lossAtT).toBeCloseTo(-0.005, 12);
    // the other metrics' summaries are stored at completion; a run without them (one that succeeded
    // before they were stored) is summarised from its series by the same function, to the same figures
    expect(await sql(tmp.databaseUrl, 'SELECT "name", "annValue", "best", "bestStep", "firstStepWithin1" FROM "MetricSummary" WHERE "conversionRunId" = $1', [run.id])).toEqual([
      { name: 'top5', annValue: 0.9, best: 0.99, bestStep: 2, firstStepWithin1: 2 },
    ]);
    await sql(tmp.databaseUrl, 'DELETE FROM "MetricSummary" WHERE "conversionRunId" = $1', [run.id]);
    expect((await s.compare.compare({ runIds: [run.id], steps: [2, 8] })).rows).toEqual([primary]);
    expect((await s.compare.compare({ runIds: [run.id], metric: 'top5', steps: [2, 8] })).rows).toEqual([top5]);
  });

  it('commits every batch at once and its running series at a bounded rate; abort keeps the newest series', async () => {
    const run = await newRun();
    expect((await s.jobs.claimNext('w/1/0'))?.id).toBe(run.jobId);
    const batch = (b: number, acc: number[]) => ({ sums: { batch: b, samples: 2, sums: { correct: acc.map((v) => 2 * v) } }, samples: 2 * b, stepMetrics: { accuracy: acc } });
    const first = [0, 0.5, NaN, 0.5, 1, 1, 1, 1];
    const second = [0.25, 0.5, 0.5, 0.75, 0.75, 1, 1, 1];
    const series = async (): Promise<(number | null)[]> => {
      const points = await s.metrics.series(run.id, 'accuracy');
      return Array.from({ length: 8 }, (_, i) => points.find((p) => p.step === i + 1)?.value ?? null);
    };
    await s.conversionRuns.commitBatches(run.id, run.jobId!, 'w/1/0', [batch(1, first)]);
    // the first batch's series at once (a step with no finite value is not recorded)
    expect(await series()).toEqual([0, 0.5, null, 0.5, 1, 1, 1, 1]);
    expect((await s.conversionRuns.get(run.id)).samples).toBe(2);
    // the second, within the interval: its sums are committed, its series waits
    await s.conversionRuns.commitBatches(run.id, run.jobId!, 'w/1/0', [batch(2, second)]);
    expect((await s.conversionRuns.batchesOf(run.id)).map((b) => b.batch)).toEqual([1, 2]);
    expect(await series()).toEqual([0, 0.5, null, 0.5, 1, 1, 1, 1]);
    expect((await s.conversionRuns.get(run.id)).samples).toBe(2);
    // committing a batch again changes nothing; a worker that does not hold the job is refused
    await s.conversionRuns.commitBatches(run.id, run.jobId!, 'w/1/0', [batch(2, first)]);
    await expect(s.conversionRuns.commitBatches(run.id, run.jobId!, 'w/9/0', [batch(3, first)])).rejects.toThrow(/w\/9\/0/);
    await s.conversionRuns.abort(run.id, run.jobId!, 'CANCELLED', 'cancelled');
    const aborted = await s.conversionRuns.get(run.id);
    expect(aborted).toMatchObject({ status: 'CANCELLED', samples: 4 });
    expect(aborted.warnings.join(' ')).toMatch(/first 4 test samples/);
    expect(await series()).toEqual(second);
  });

  it('bulk-ingests step metrics in one transaction, refusing unknown or succeeded runs and non-finite values', async () => {
    const run = await newRun();
    expect(await s.metrics.ingest(Array.from({ length: 8 }, (_, i) => [run.id, 'accuracy', i + 1, i / 10] as const))).toBe(8);
    expect(await s.metrics.series(run.id, 'accuracy', { steps: [2, 8] })).toEqual([{ step: 2, value: 0.1 }, { step: 8, value: 0.7 }]);
    // a repeated row keeps its last value; a second ingestion replaces values
    expect(await s.metrics.ingest([[run.id, 'loss', 1, 3], [run.id, 'loss', 1, 2], [run.id, 'accuracy', 8, 0.75]])).toBe(3);
    expect(await s.metrics.series(run.id, 'loss')).toEqual([{ step: 1, value: 2 }]);
    expect(await s.metrics.series(run.id, 'accuracy', { steps: [8] })).toEqual([{ step: 8, value: 0.75 }]);
    await expect(s.metrics.ingest([[run.id, 'top5', 1, 1], [999999, 'top5', 1, 1]])).rejects.toThrow(/no conversion run 999999/);
    await expect(s.metrics.ingest([[run.id, 'top5', 1, 1], [run.id, 'top5', 2, NaN]])).rejects.toThrow(/value: must be a finite number/);
    await expect(s.metrics.ingest([[run.id, 'top5', 0, 1]])).rejects.toThrow(/step: must be an integer ≥ 1/);
    expect(await s.metrics.series(run.id, 'top5')).toEqual([]);
    await sql(tmp.databaseUrl, 'UPDATE "ConversionRun" SET "status" = \'SUCCEEDED\' WHERE "id" = $1', [run.id]);
    await expect(s.metrics.ingest([[run.id, 'accuracy', 1, 1]])).rejects.toThrow(/already succeeded/);
    expect(await s.metrics.series(run.id, 'accuracy', { steps: [1] })).toEqual([{ step: 1, value: 0 }]);
  });
});
