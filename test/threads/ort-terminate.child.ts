/* eslint-disable @typescript-eslint/no-unsafe-return -- GraphQL results are untyped JSON */
// Run by ort-terminate.test in a process of its own: kills the worker thread of a conversion while it
// simulates on ONNX Runtime, again and again, then stops the server mid-run. Before the native-call
// gate, the first kill that landed inside `session.run` aborted this whole process (exit 134).
import { startTestServer } from '../api/harness.js';
import { dataOf, TINY, waitFor } from '../api/jobs-client.js';

const KILLS = 4;
// 1 024 test images in 256 batches × 4096 steps: a retry resumes after the batches already
// committed, so each attempt must leave plenty for the next kills to land mid-simulation (since the
// thread posts progress every 100 ms, not every step, a job runs several times faster)
const t = await startTestServer();
try {
  const datasetId = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: { ...TINY.dataset, options: { ...TINY.dataset.options, testCount: 1024 } } })).registerDataset.id;
  const modelId = dataOf(await t.gql('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: TINY.model })).createModel.id;
  const training = dataOf(await t.gql('mutation($i: StartTrainingInput!) { startTraining(input: $i) { id jobId } }', { i: { modelId, datasetId, config: TINY.training } })).startTraining;
  const checkpointId = await waitFor(async () => {
    const r = dataOf(await t.gql('query($id: ID!) { trainingRun(id: $id) { status resultCheckpointId } }', { id: training.id })).trainingRun;
    if (r.status === 'FAILED' || r.status === 'CANCELLED') throw new Error(`training ${r.status}`);
    return r.resultCheckpointId ?? undefined;
  }, 60_000, 'the training');
  const run = dataOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id jobId } }', {
    i: { checkpointId, datasetId, backend: 'cpu', maxAttempts: KILLS + 1, config: { timeSteps: 4096, batchSize: 4 } },
  })).startConversion;
  const jobId = Number(run.jobId);
  let last: unknown = null;
  for (let attempt = 1; attempt <= KILLS + 1; attempt++) {
    await waitFor(async () => {
      const j = dataOf(await t.gql('query($id: ID!) { job(id: $id) { status step attempts error } }', { id: run.jobId })).job;
      last = j;
      // the stop at the end needs a running job; had the last attempt already finished, nothing is left to stop
      if (attempt > KILLS && j.status === 'SUCCEEDED') return j;
      return j.status === 'RUNNING' && j.step > 0 && j.attempts === attempt ? j : undefined;
    }, 120_000, `attempt ${attempt} to simulate`).catch((err: Error) => {
      throw new Error(`${err.message}; the job: ${JSON.stringify(last)}; the server logged: ${JSON.stringify(t.logged).slice(-1500)}`);
    });
    await new Promise((r) => setTimeout(r, Math.random() * 20));
    // a requeued job's progress starts from nothing, so step > 0 means this attempt simulates
    // the last time, the server stops with the job running (its threads terminated the same way)
    if (attempt <= KILLS && !(await t.server.app.runner.killWorker(jobId))) {
      const j = dataOf(await t.gql('query($id: ID!) { job(id: $id) { status step attempts error } }', { id: run.jobId })).job;
      throw new Error(`job ${jobId} not running at kill ${attempt}: ${JSON.stringify(j)}`);
    }
  }
} finally {
  await t.stop();
}
process.stdout.write(`survived ${KILLS} kills and a stop mid-simulation\n`);
