// Conversion jobs. Every finished test batch is committed at once (its sums keyed by batch index,
// plus the running per-step metrics) and streamed; a retried attempt resumes after the committed
// batches. On success the summary, all step metrics and layer stats commit with the SUCCEEDED
// status, then the final value of every step is streamed. The same functions persist what an
// in-process worker thread and a remote worker (src/jobs/remote.ts) report.
import type { ConversionResult } from '../formats/index.js';
import type { BatchCommit, ConversionRun } from '../registry/conversion-runs.js';
import type { Dataset, Job } from '../registry/records.js';
import { datasetSpecOf } from '../registry/runs.js';
import type { StepMetricsEvent } from './events.js';
import { conversionBackend, type Execution, type JobEnv } from './execution.js';
import type { ConversionTask } from './messages.js';
import { checkpointPayload } from './training-job.js';

export async function conversionRunOf(env: JobEnv, job: Job): Promise<ConversionRun> {
  const run = await env.registry.conversionRuns.byJob(job.id);
  if (!run) throw new Error(`job ${job.id} has no conversion run`);
  return run;
}

/**
 * The task without its weights: what both the thread and a remote worker start from. `attempt`
 * is the job's attempt now starting: a first one has no earlier results to clear.
 */
export async function conversionTaskOf(env: JobEnv, run: ConversionRun, attempt: number, read?: Dataset): Promise<Omit<ConversionTask, 'checkpoint'>> {
  const runs = env.registry.conversionRuns;
  const dataset = read?.id === run.datasetId ? read : await env.registry.datasets.get(run.datasetId);
  if (attempt > 1) await runs.resetResults(run.id);
  return { kind: 'conversion', dataset: datasetSpecOf(dataset), config: runs.configOf(run), maxSamples: run.maxSamples, backend: conversionBackend(run.backend), resume: await runs.batchesOf(run.id) };
}

function publish(env: JobEnv, e: StepMetricsEvent): void {
  env.events.publish('stepMetrics', e.runId, e);
}

const doneEvent = (runId: number): StepMetricsEvent => ({ runId, final: true, step: null, values: null, series: null, batch: null, batches: null, samples: null, done: true });

/** Ends run `runId`'s stepMetrics stream. */
export function publishDone(env: JobEnv, runId: number): void {
  publish(env, doneEvent(runId));
}

function publishBatch(env: JobEnv, runId: number, b: BatchCommit & { batches: number }): void {
  publish(env, { runId, final: false, step: null, values: null, series: b.stepMetrics, batch: b.sums.batch, batches: b.batches, samples: b.samples, done: false });
}

/**
 * Commits one finished batch (only while `workerId` holds the job) and streams the running
 * estimate after the commit (a remote worker's report may be refused). This process's own thread
 * streams each batch as it arrives, before any commit (prepareConversion's receive), so that
 * subscribers (and a cancel they send) are not held up by the commits of the batches before it.
 */
export async function commitConversionBatch(env: JobEnv, job: Job, runId: number, workerId: string | null, b: BatchCommit & { batches: number }): Promise<void> {
  await env.registry.conversionRuns.commitBatches(runId, job.id, workerId, [b]);
  publishBatch(env, runId, b);
}

/**
 * This process's own thread: commits the finished batches not committed yet, streamed already
 * (receive), in one transaction, so that a backlog of commits on a busy database is one write.
 */
async function commitConversionBatches(env: JobEnv, job: Job, runId: number, workerId: string | null, batches: readonly BatchCommit[]): Promise<void> {
  if (batches.length > 0) await env.registry.conversionRuns.commitBatches(runId, job.id, workerId, batches);
}

/** Stores the result with SUCCEEDED (one transaction) and streams the final steps; returns the ended job. */
export async function completeConversion(env: JobEnv, job: Job, runId: number, r: ConversionResult): Promise<Job> {
  const ended = await env.registry.conversionRuns.complete(runId, job.id, r);
  publishResult(env, runId, r);
  return ended;
}

/** Streams a stored result: every step's final values, then the end of the stream. */
export function publishResult(env: JobEnv, runId: number, r: ConversionResult): void {
  const names = Object.keys(r.stepMetrics);
  const events: StepMetricsEvent[] = [];
  for (let t = 1; t <= r.config.timeSteps; t++) {
    const values = Object.fromEntries(names.map((n) => [n, r.stepMetrics[n]![t - 1]!]));
    events.push({ runId, final: true, step: t, values, series: null, batch: null, batches: null, samples: r.samples, done: false });
  }
  events.push(doneEvent(runId));
  // one message on a bus across replicas, however many steps
  env.events.publishAll('stepMetrics', runId, events);
}

export async function abortConversion(env: JobEnv, job: Job, runId: number, status: 'FAILED' | 'CANCELLED', error: string): Promise<Job> {
  const ended = await env.registry.conversionRuns.abort(runId, job.id, status, error);
  publishDone(env, runId);
  return ended;
}

export async function prepareConversion(env: JobEnv, job: Job): Promise<Execution> {
  const run = await conversionRunOf(env, job);
  const checkpoint = await checkpointPayload(env, run.checkpointId);
  const task: ConversionTask = { ...(await conversionTaskOf(env, run, job.attempts)), checkpoint };
  const backlog: (BatchCommit & { batches: number })[] = [];
  return {
    task,
    transfer: [checkpoint.weights.buffer as ArrayBuffer],
    backend: env.backend,
    receive(m) {
      if (m.type !== 'batch') return;
      const b = { sums: m.sums, samples: m.samples, stepMetrics: m.stepMetrics, batches: m.batches };
      publishBatch(env, run.id, b);
      backlog.push(b);
    },
    async onMessage(m) {
      // the batches that arrived while earlier commits ran go in one transaction (the first of
      // their messages commits them all, the others find nothing left); first a turn of the event
      // loop, so that requests waiting for the database (a cancel among them) go before it
      if (m.type !== 'batch') return;
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
      await commitConversionBatches(env, job, run.id, job.workerId, backlog.splice(0));
    },
    async succeed(m) {
      if (!m.conversion) throw new Error('conversion worker returned no result');
      await completeConversion(env, job, run.id, m.conversion);
    },
    async abort(status, error) {
      await abortConversion(env, job, run.id, status, error);
    },
  };
}
