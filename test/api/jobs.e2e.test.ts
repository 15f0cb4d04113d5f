/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- GraphQL results are untyped JSON; the assertions pin their shape */
// End to end over HTTP + graphql-ws on a temporary database: register the synthetic dataset, train
// a tiny model, convert it while streaming progress and per-step metrics, compare; bad input is
// refused before anything is queued; a running job can be cancelled.
import type { Client } from 'graphql-ws';
import { sql } from '../db/database.js';
import { errorOf, startTestServer, type TestServer } from './harness.js';
import { collect, dataOf, JOB_FIELDS, TINY, waitFor, wsClient } from './jobs-client.js';

describe('jobs API end to end', () => {
  let t: TestServer;
  let ws: Client;
  let datasetId: string;
  let modelId: string;
  let checkpointId: string;
  let conversionRunId: string;

  beforeAll(async () => {
    t = await startTestServer();
    ws = wsClient(t.base);
    datasetId = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: TINY.dataset })).registerDataset.id;
    modelId = dataOf(await t.gql('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: TINY.model })).createModel.id;
  });
  afterAll(async () => {
    await ws.dispose();
    await t.stop();
  });

  it('trains a tiny model, streaming job progress, and stores the best checkpoint with aliases', async () => {
    const run = dataOf(await t.gql('mutation($i: StartTrainingInput!) { startTraining(input: $i) { id jobId status } }', { i: { modelId, datasetId, config: TINY.training } })).startTraining;
    expect(run.status).toBe('QUEUED');
    const events = await collect<{ jobProgress: Record<string, any> }>(ws, `subscription($id: ID!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`, { id: run.jobId });
    const last = events.at(-1)!.jobProgress;
    expect(last).toMatchObject({ status: 'SUCCEEDED', progress: 1, kind: 'training', trainingRunId: run.id });
    expect(events.some((e) => e.jobProgress.status === 'RUNNING')).toBe(true);
    const tr = dataOf(await t.gql(`query($id: ID!) { trainingRun(id: $id) { status bestEpoch metricName resultCheckpointId epochsCompleted
      resultCheckpoint { id aliases } metrics(unit: "epoch") { name step value } job { status } } }`, { id: run.id })).trainingRun;
    expect(tr).toMatchObject({ status: 'SUCCEEDED', metricName: 'accuracy', epochsCompleted: 2, job: { status: 'SUCCEEDED' } });
    expect(tr.resultCheckpoint.aliases.sort()).toEqual(['best', 'latest']);
    expect(tr.metrics.filter((m: { name: string }) => m.name === 'trainLoss').map((m: { step: number }) => m.step)).toEqual([1, 2]);
    checkpointId = tr.resultCheckpointId;
  });

  it('refuses bad conversion input before queueing anything', async () => {
    const before = dataOf(await t.gql('{ jobs { totalCount } }')).jobs.totalCount;
    const start = (input: Record<string, unknown>) => t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id } }', { i: { checkpointId, datasetId, ...input } });
    for (const config of [{ timeSteps: 0 }, { timeSteps: 4097 }, { percentile: 0 }, { percentile: 1.5 }, { gamma: 0 }, { calibrationBatches: 0 }]) {
      expect(errorOf(await start({ config })).code).toBe('BAD_USER_INPUT');
    }
    expect(errorOf(await start({ checkpointId: '999999' })).code).toBe('NOT_FOUND');
    expect(errorOf(await start({ datasetId: '999999' })).code).toBe('NOT_FOUND');
    const other = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: { ...TINY.dataset, name: 'synth-12', options: { ...TINY.dataset.options, size: 12 } } })).registerDataset.id;
    const misfit = errorOf(await start({ datasetId: other }));
    expect(misfit.code).toBe('BAD_USER_INPUT');
    expect(misfit.message).toMatch(/8×8×1.*12×12×1/);
    expect(dataOf(await t.gql('{ jobs { totalCount } }')).jobs.totalCount).toBe(before);
  });

  it('converts the checkpoint, streaming running and final per-step metrics, committed together', async () => {
    const run = dataOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id jobId status timeSteps percentile gamma backend } }', { i: { checkpointId, datasetId, backend: 'cpu', config: { timeSteps: 16, batchSize: 16 } } })).startConversion;
    expect(run).toMatchObject({ status: 'QUEUED', timeSteps: 16, percentile: 0.99, gamma: 5, backend: 'cpu' });
    conversionRunId = run.id;
    const [steps, jobs] = await Promise.all([
      collect<{ stepMetrics: Record<string, any> }>(ws, 'subscription($id: ID!) { stepMetrics(runId: $id) { runId final step values { name value } series { name values } batch batches samples done } }', { id: run.id }),
      collect<{ jobProgress: Record<string, any> }>(ws, `subscription($id: ID!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`, { id: run.jobId }),
    ]);
    expect(jobs.at(-1)!.jobProgress.status).toBe('SUCCEEDED');
    const running = steps.filter((e) => !e.stepMetrics.final);
    expect(running.length).toBe(2); // 32 test samples / batch 16
    expect(running[1]!.stepMetrics).toMatchObject({ batch: 2, batches: 2, samples: 32 });
    const finals = steps.filter((e) => e.stepMetrics.final && !e.stepMetrics.done);
    expect(finals.map((e) => e.stepMetrics.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(steps.at(-1)!.stepMetrics.done).toBe(true);

    const cr = dataOf(await t.gql(`query($id: ID!) { conversionRun(id: $id) { status backendUsed samples primaryMetric annValue best bestStep lossAtT sops energyRatio metricNames
      all: stepMetrics(name: "accuracy") { step value } sampled: stepMetrics(name: "accuracy", sample: 5) { step value }
      picked: stepMetrics(name: "accuracy", steps: [1, 4, 16]) { step } every: stepMetrics(name: "accuracy", every: 5) { step }
      layerStats { position site kind neurons firingRate sops } } }`, { id: run.id })).conversionRun;
    expect(cr).toMatchObject({ status: 'SUCCEEDED', backendUsed: 'cpu', samples: 32, primaryMetric: 'accuracy' }); // ONNX Runtime's CPU provider ran it
    expect(cr.all).toHaveLength(16);
    const final16 = finals.at(-1)!.stepMetrics.values.find((v: { name: string }) => v.name === 'accuracy').value;
    expect(Math.abs(cr.all[15].value - final16)).toBeLessThan(1e-9);
    expect(cr.sampled.length).toBeLessThanOrEqual(5);
    const vals = cr.all.map((p: { value: number }) => p.value);
    const sampledSteps = cr.sampled.map((p: { step: number }) => p.step);
    expect(sampledSteps).toContain(1);
    expect(sampledSteps).toContain(16);
    expect(cr.sampled.map((p: { value: number }) => p.value)).toContain(Math.max(...vals));
    expect(cr.sampled.map((p: { value: number }) => p.value)).toContain(Math.min(...vals));
    expect(cr.picked.map((p: { step: number }) => p.step)).toEqual([1, 4, 16]);
    expect(cr.every.map((p: { step: number }) => p.step)).toEqual([1, 6, 11, 16]);
    expect(cr.layerStats.length).toBeGreaterThanOrEqual(3);
    expect(cr.metricNames).toContain('accuracy');
  });

  it('compares runs as a backbone × step matrix', async () => {
    const m = dataOf(await t.gql(`query($ids: [ID!]) { compare(runIds: $ids) { metric steps rows { conversionRunId backbone architecture family dataset timeSteps annValue values losses best bestStep firstStepWithin1 lossAtT sops annMacs energyRatio } } }`, { ids: [conversionRunId] })).compare;
    expect(m.metric).toBe('accuracy');
    expect(m.steps).toEqual([1, 2, 4, 8, 16]);
    const row = m.rows[0];
    expect(row).toMatchObject({ conversionRunId, backbone: 'cnn-tiny', architecture: 'cnn-small', family: 'plain', dataset: 'synth', timeSteps: 16 });
    row.values.forEach((v: number, i: number) => expect(Math.abs(row.annValue - v - row.losses[i])).toBeLessThan(1e-9));
    const byFilter = dataOf(await t.gql('{ compare(filter: { architecture: "cnn-small" }, steps: [2, 16]) { steps rows { conversionRunId values } } }')).compare;
    expect(byFilter.steps).toEqual([2, 16]);
    expect(byFilter.rows.map((r: { conversionRunId: string }) => r.conversionRunId)).toEqual([conversionRunId]);
    expect(errorOf(await t.gql('{ compare(runIds: ["424242"]) { metric } }')).code).toBe('BAD_USER_INPUT');
    const unknownMetric = errorOf(await t.gql('query($ids: [ID!]) { compare(runIds: $ids, metric: "f1") { metric } }', { ids: [conversionRunId] }));
    expect(unknownMetric).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metric' });
    const page = dataOf(await t.gql('{ conversionRuns(filter: { status: "SUCCEEDED", family: "plain" }, first: 1) { totalCount nodes { id checkpoint { id } dataset { name } job { status } } pageInfo { hasNextPage } } }')).conversionRuns;
    expect(page).toMatchObject({ totalCount: 1, nodes: [{ id: conversionRunId, dataset: { name: 'synth' }, job: { status: 'SUCCEEDED' } }] });
    // nested series over a list of runs go through one batched loader
    const nested = dataOf(await t.gql('{ conversionRuns { nodes { id a: stepMetrics(name: "accuracy", sample: 4) { step } b: stepMetrics(name: "accuracy", steps: [2]) { step } } } }')).conversionRuns.nodes;
    const mine = nested.find((n: { id: string }) => n.id === conversionRunId);
    expect(mine.a.map((p: { step: number }) => p.step)).toEqual(expect.arrayContaining([1, 16]));
    expect(mine.a.length).toBeLessThanOrEqual(4);
    expect(mine.b).toEqual([{ step: 2 }]);
  });

  it('runs the research options (calibration clip, early exit) and serves the early-exit outcome', async () => {
    const config = { timeSteps: 8, batchSize: 16, calibrationClip: 'gamma', earlyExitPatience: 3 };
    const run = dataOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id jobId calibrationClip readout earlyExitPatience earlyExitMargin } }', { i: { checkpointId, datasetId, backend: 'cpu', config } })).startConversion;
    expect(run).toMatchObject({ calibrationClip: 'gamma', readout: 'mean-probability', earlyExitPatience: 3, earlyExitMargin: null });
    const events = await collect<{ jobProgress: Record<string, any> }>(ws, `subscription($id: ID!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`, { id: run.jobId });
    expect(events.at(-1)!.jobProgress.status).toBe('SUCCEEDED');
    const cr = dataOf(await t.gql(`query($id: ID!) { conversionRun(id: $id) { sops samples all: stepMetrics(name: "accuracy") { value }
      earlyExit { patience margin accuracy meanSteps stepsHistogram exited sops fixedSops energyRatio } } }`, { id: run.id })).conversionRun;
    const e = cr.earlyExit;
    expect(e).toMatchObject({ patience: 3, margin: null });
    expect(e.stepsHistogram).toHaveLength(8);
    expect(e.stepsHistogram.reduce((a: number, b: number) => a + b, 0)).toBe(cr.samples);
    expect(e.stepsHistogram.slice(0, 2)).toEqual([0, 0]); // patience 3 cannot hold before step 3
    expect(e.meanSteps).toBeGreaterThanOrEqual(3);
    expect(e.meanSteps).toBeLessThanOrEqual(8);
    expect(e.fixedSops).toBeCloseTo(cr.sops, 6);
    expect(e.sops).toBeLessThanOrEqual(cr.sops * (1 + 1e-9));
    expect(cr.all).toHaveLength(8); // the fixed-T curve is kept in full
    const bad = errorOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id } }', { i: { checkpointId, datasetId, config: { calibrationClip: 'always' } } }));
    expect(bad.code).toBe('BAD_USER_INPUT');
    const jobs = dataOf(await t.gql('{ jobs { totalCount } }')).jobs.totalCount;
    const misplaced = errorOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id } }', { i: { checkpointId, datasetId, config: { readout: 'mean-logit' } } }));
    expect(misplaced).toMatchObject({ code: 'BAD_USER_INPUT', field: 'config.readout' });
    expect(misplaced.message).toMatch(/segmentation only.*is classification/);
    expect(dataOf(await t.gql('{ jobs { totalCount } }')).jobs.totalCount).toBe(jobs);
    // cleanup: later tests count runs
    await t.gql('mutation($id: ID!) { deleteConversionRun(id: $id) { id } }', { id: run.id });
  });

  it('cancels a running conversion within one batch', async () => {
    const run = dataOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id jobId } }', { i: { checkpointId, datasetId, config: { timeSteps: 4096, batchSize: 4 } } })).startConversion;
    await waitFor(async () => {
      const job = dataOf(await t.gql('query($id: ID!) { job(id: $id) { status step } }', { id: run.jobId })).job;
      return job.status === 'RUNNING' && job.step > 0 ? job : undefined;
    }, 60_000, 'the conversion to run');
    const asked = Date.now();
    const cancelled = dataOf(await t.gql('mutation($id: ID!) { cancelJob(id: $id) { status cancelRequested } }', { id: run.jobId })).cancelJob;
    expect(cancelled.cancelRequested).toBe(true);
    const job = await waitFor(async () => {
      const j = dataOf(await t.gql(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id: run.jobId })).job;
      return j.status === 'RUNNING' ? undefined : j;
    }, 30_000, 'the job to stop');
    expect(job.status).toBe('CANCELLED');
    expect(Date.now() - asked).toBeLessThan(10_000);
    const cr = dataOf(await t.gql('query($id: ID!) { conversionRun(id: $id) { status error } }', { id: run.id })).conversionRun;
    expect(cr.status).toBe('CANCELLED');
    expect(dataOf(await t.gql('{ jobs(status: "CANCELLED") { totalCount } }')).jobs.totalCount).toBe(1);
  });

  it('keeps the running per-step metrics of a run stopped after some batches', async () => {
    // T = 1024 keeps each of the 8 batches long enough for the cancel to land before the last one on a
    // loaded machine (at 256 the ONNX Runtime engine sometimes finished first, most often on PostgreSQL)
    const run = dataOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id jobId } }', { i: { checkpointId, datasetId, config: { timeSteps: 1024, batchSize: 4 } } })).startConversion;
    const events: Record<string, any>[] = [];
    await new Promise<void>((resolve, reject) => {
      let asked = false;
      ws.subscribe<{ stepMetrics: Record<string, any> }>({ query: 'subscription($id: ID!) { stepMetrics(runId: $id) { final batch samples done } }', variables: { id: run.id } }, {
        next: (v) => {
          events.push(v.data!.stepMetrics);
          if (!asked && v.data!.stepMetrics.batch >= 1) {
            asked = true;
            void t.gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: run.jobId });
          }
        },
        error: reject,
        complete: resolve,
      });
    });
    expect(events.at(-1)!.done).toBe(true);
    const cr = dataOf(await t.gql('query($id: ID!) { conversionRun(id: $id) { status samples warnings stepMetrics(name: "accuracy") { step } } }', { id: run.id })).conversionRun;
    expect(cr.status).toBe('CANCELLED');
    expect(cr.samples).toBeGreaterThanOrEqual(4);
    expect(cr.samples).toBeLessThan(32);
    expect(cr.stepMetrics).toHaveLength(1024);
    expect(cr.warnings.join(' ')).toMatch(/partial/);
  });

  it('serves repeated compare questions from the one cache until anything is committed', async () => {
    const { compare } = t.server.app.registry;
    const params = { filter: { architecture: 'cnn-small' } };
    const first = await compare.compare(params);
    expect(await compare.compare(params)).toBe(first); // the same object: not recomputed
    const q = '{ compare(filter: { architecture: "cnn-small" }) { rows { conversionRunId annValue } } }';
    const annValue = first.rows[0]!.annValue;
    expect(dataOf(await t.gql(q)).compare.rows).toEqual([{ conversionRunId, annValue }]);
    expect(await compare.compare(params)).toBe(first); // GraphQL asked through the same cache
    // a commit by another connection, outside Prisma, invalidates it
    await sql(t.tmp.databaseUrl, 'UPDATE "ConversionRun" SET "annValue" = $1 WHERE "id" = $2', [0.123, Number(conversionRunId)]);
    expect(dataOf(await t.gql(q)).compare.rows).toEqual([{ conversionRunId, annValue: 0.123 }]);
    const second = await compare.compare(params);
    expect(second).not.toBe(first);
    expect(await compare.compare(params)).toBe(second);
    dataOf(await t.gql('mutation($id: ID!) { deleteConversionRun(id: $id) { id } }', { id: conversionRunId }));
    expect(dataOf(await t.gql(q)).compare.rows).toEqual([]);
  });
});
