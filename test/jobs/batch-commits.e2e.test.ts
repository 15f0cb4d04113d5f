/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- GraphQL results are untyped JSON; the assertions pin their shape */
// kill -9 of the server during a conversion (the in-process runner; SQLite, and PostgreSQL in jest's
// postgres project): the
// per-step metrics of the batches simulated before the kill are committed (one ConversionBatch row
// per batch, and the running StepMetric series), the restarted server resumes after them, and the
// final series equals an uninterrupted run's: no batch is lost or counted twice.
import { makeTempDirs, type TempDirs } from '../api/harness.js';
import { dataOf, TINY, waitFor } from '../api/jobs-client.js';
import { sql } from '../db/database.js';
import { startServerProcess, type ServerProc } from '../scale/processes.js';

const CONFIG = { timeSteps: 512, batchSize: 2, calibrationBatches: 2 };
// 32 batches of a full-width model: the simulation must outlast the commits by far, else the whole
// backlog (coalesced into one transaction) is committed before kill -9 lands
const DATASET = { ...TINY.dataset, options: { ...TINY.dataset.options, testCount: 64 } };
const MODEL = { ...TINY.model, widthMultiplier: 1 };
const BATCHES = DATASET.options.testCount / CONFIG.batchSize;
const runQuery = 'query($id: ID!) { conversionRun(id: $id) { id status samples warnings job { status attempts } stepMetrics(name: "accuracy") { step value } } }';

describe('per-batch metric commits survive kill -9 and resume without double counting', () => {
  let tmp: TempDirs;
  let server: ServerProc | null = null;
  beforeAll(() => {
    tmp = makeTempDirs();
  });
  afterAll(async () => {
    await server?.kill();
    tmp.cleanup();
  });

  it('keeps the committed batches and finishes with the uninterrupted result', async () => {
    const env = { DATABASE_URL: tmp.databaseUrl, SPIKELAB_STORE: tmp.storeDir };
    server = await startServerProcess(env);
    const a = server;
    const datasetId = dataOf(await a.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: DATASET })).registerDataset.id;
    const modelId = dataOf(await a.gql('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: MODEL })).createModel.id;
    const tr = dataOf(await a.gql('mutation($i: StartTrainingInput!) { startTraining(input: $i) { id } }', { i: { modelId, datasetId, config: TINY.training } })).startTraining;
    const checkpointId = await waitFor(async () => {
      const r = dataOf(await a.gql('query($id: ID!) { trainingRun(id: $id) { status resultCheckpointId } }', { id: tr.id })).trainingRun;
      if (r.status === 'FAILED') throw new Error('training failed');
      return r.resultCheckpointId ?? undefined;
    }, 120_000, 'training');
    // force: the second, identical request must compute again (else the registry answers it with
    // the reference run, cached, and nothing runs)
    const convert = async (): Promise<string> => {
      const r = dataOf(await server!.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id cached } }', { i: { checkpointId, datasetId, config: CONFIG, force: true } })).startConversion;
      expect(r.cached).toBe(false);
      return r.id;
    };
    const finished = async (id: string): Promise<any> => waitFor(async () => {
      const r = dataOf(await server!.gql(runQuery, { id })).conversionRun;
      return r.status === 'QUEUED' || r.status === 'RUNNING' ? undefined : r;
    }, 180_000, `conversion run ${id}`);

    // the reference: the same conversion, uninterrupted
    const reference = await finished(await convert());
    expect(reference.status).toBe('SUCCEEDED');

    const runId = await convert();
    expect(runId).not.toBe(reference.id);
    // three batches committed (their rows; the run's sample count follows at a bounded rate)
    const committed = async (): Promise<number> => Number((await sql(tmp.databaseUrl, 'SELECT count(*) AS n FROM "ConversionBatch" WHERE "conversionRunId" = $1', [Number(runId)]))[0]!['n']);
    await waitFor(async () => ((await committed()) >= 3 ? true : undefined), 120_000, 'three batches to commit');
    const seen = dataOf(await a.gql(runQuery, { id: runId })).conversionRun;
    await a.kill();
    // the run was seen still running with at least three batches committed (not already ended)
    expect(seen).toMatchObject({ status: 'RUNNING' });

    // what kill -9 left in the database: the committed batches and their running series
    const batches = (await sql(tmp.databaseUrl, 'SELECT batch, samples FROM "ConversionBatch" WHERE "conversionRunId" = $1 ORDER BY batch', [Number(runId)])) as { batch: number; samples: number }[];
    const series = Number((await sql(tmp.databaseUrl, 'SELECT count(*) AS n FROM "StepMetric" WHERE "conversionRunId" = $1 AND name = \'accuracy\'', [Number(runId)]))[0]!['n']);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.length).toBeLessThan(BATCHES);
    expect(batches.map((b) => b.batch)).toEqual(batches.map((_, i) => i + 1));
    expect(series).toBe(CONFIG.timeSteps);

    server = await startServerProcess(env);
    const run = await finished(runId);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.job).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(run.samples).toBe(DATASET.options.testCount);
    expect(run.warnings.join(' ')).toMatch(new RegExp(`resumed after (\\d+) of ${BATCHES} batches`));
    const resumedAfter = Number(/resumed after (\d+) of/.exec(run.warnings.join(' '))![1]);
    expect(resumedAfter).toBeGreaterThanOrEqual(batches.length);
    // every step's accuracy equals the uninterrupted run's: each test sample counted exactly once
    expect(run.stepMetrics).toHaveLength(CONFIG.timeSteps);
    run.stepMetrics.forEach((p: { step: number; value: number }, i: number) => {
      expect(p.step).toBe(i + 1);
      expect(Math.abs(p.value - reference.stepMetrics[i].value)).toBeLessThan(1e-9);
    });
    await server.stop();
  });
});
