/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- GraphQL results are untyped JSON; the assertions pin their shape */
// Crash recovery: a worker thread that dies mid-job gets its job requeued (or failed after
// maxAttempts); a server killed mid-job leaves the job RUNNING in the database, and the next
// server start requeues it and finishes it — never left "running".
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { makeTempDirs, startTestServer, type GqlResponse, type TempDirs, type TestServer } from './harness.js';
import { collect, dataOf, JOB_FIELDS, TINY, waitFor, wsClient } from './jobs-client.js';

async function setUp(gql: (q: string, v?: Record<string, unknown>) => Promise<GqlResponse>): Promise<{ datasetId: string; modelId: string }> {
  const datasetId = dataOf(await gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: TINY.dataset })).registerDataset.id;
  const modelId = dataOf(await gql('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: TINY.model })).createModel.id;
  return { datasetId, modelId };
}

const jobQuery = `query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`;

describe('a worker thread dying mid-job', () => {
  let t: TestServer;
  let ids: { datasetId: string; modelId: string };
  beforeAll(async () => {
    t = await startTestServer();
    ids = await setUp((q, v) => t.gql(q, v));
  });
  afterAll(() => t.stop());

  const startTraining = async (maxAttempts: number): Promise<string> =>
    dataOf(await t.gql('mutation($i: StartTrainingInput!) { startTraining(input: $i) { jobId } }', { i: { ...ids, config: { ...TINY.training, epochs: 20 }, maxAttempts } })).startTraining.jobId;
  const killWhenRunning = async (jobId: string): Promise<void> => {
    await waitFor(async () => {
      const j = dataOf(await t.gql(jobQuery, { id: jobId })).job;
      return j.status === 'RUNNING' && j.step > 0 ? j : undefined;
    }, 60_000, 'training to run');
    expect(await t.server.app.runner.killWorker(Number(jobId))).toBe(true);
  };

  it('requeues the job and a fresh worker finishes it', async () => {
    const jobId = await startTraining(3);
    await killWhenRunning(jobId);
    const ws = wsClient(t.base);
    const events = await collect<{ jobProgress: Record<string, any> }>(ws, `subscription($id: ID!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`, { id: jobId }, 90_000).finally(() => ws.dispose());
    expect(events.at(-1)!.jobProgress).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('fails the job with the reason after maxAttempts', async () => {
    const jobId = await startTraining(1);
    await killWhenRunning(jobId);
    const job = await waitFor(async () => {
      const j = dataOf(await t.gql(jobQuery, { id: jobId })).job;
      return j.status === 'RUNNING' ? undefined : j;
    }, 30_000, 'the job to end');
    expect(job).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(job.error).toMatch(/worker thread exited.*gave up after 1 attempt/);
  });
});

describe('a server killed mid-job', () => {
  let tmp: TempDirs;
  let child: ChildProcess | null = null;

  async function startProcess(): Promise<{ base: string; gql: (q: string, v?: Record<string, unknown>) => Promise<GqlResponse>; log: string[] }> {
    const log: string[] = [];
    child = spawn(process.execPath, ['dist/src/server.js'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: tmp.databaseUrl, SPIKELAB_STORE: tmp.storeDir, SPIKELAB_BACKEND: 'cpu', SPIKELAB_WORKERS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => log.push(String(d)));
    const base = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (d: Buffer) => {
        log.push(String(d));
        const m = /GraphQL at (http:\/\/[^/]+)\/graphql/.exec(String(d));
        if (m?.[1]) resolve(m[1]);
      });
      child!.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log.join('')}`)));
    });
    const gql = async (query: string, variables?: Record<string, unknown>): Promise<GqlResponse> =>
      (await (await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })).json()) as GqlResponse;
    return { base, gql, log };
  }

  beforeAll(() => {
    tmp = makeTempDirs();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    tmp.cleanup();
  });

  it('requeues the job at the next start and finishes it', async () => {
    const a = await startProcess();
    const ids = await setUp(a.gql);
    const jobId = dataOf(await a.gql('mutation($i: StartTrainingInput!) { startTraining(input: $i) { jobId } }', { i: { ...ids, config: { ...TINY.training, epochs: 12 } } })).startTraining.jobId;
    await waitFor(async () => {
      const j = dataOf(await a.gql(jobQuery, { id: jobId })).job;
      return j.status === 'RUNNING' && j.step > 0 ? j : undefined;
    }, 60_000, 'training to run');
    child!.kill('SIGKILL');
    await once(child!, 'exit');

    const b = await startProcess();
    expect(b.log.join('')).toMatch(new RegExp(`requeued \\[${jobId}\\]`));
    const first = dataOf(await b.gql(jobQuery, { id: jobId })).job;
    expect(['QUEUED', 'RUNNING']).toContain(first.status);
    const job = await waitFor(async () => {
      const j = dataOf(await b.gql(jobQuery, { id: jobId })).job;
      return j.status === 'QUEUED' || j.status === 'RUNNING' ? undefined : j;
    }, 90_000, 'the recovered job to finish');
    expect(job).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    const run = dataOf(await b.gql('query($id: ID!) { trainingRun(id: $id) { status epochsCompleted resultCheckpoint { aliases } } }', { id: job.trainingRunId })).trainingRun;
    expect(run).toMatchObject({ status: 'SUCCEEDED', epochsCompleted: 12 });
    child!.kill('SIGTERM');
    await once(child!, 'exit');
  });
});
