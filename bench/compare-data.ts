// The data and the measurements of `npm run bench:api`, shared with other benchmarks (bench:scale
// reports `pgCompareP95Ms` with it): 200 succeeded conversion runs × 256 steps × 5 metrics on 20
// models, a server in a child process on that database, and timed GraphQL requests over HTTP.
//   const pgCompareP95Ms = (await measurePgCompare()).repeated.p95;   // all of it, on a throw-away cluster
// or step by step, e.g. on a database and servers of your own:
//   const db = await benchDatabase('postgresql', dir);       // a throw-away cluster, or SQLite
//   const seeded = await seedCompareRuns(db.url, storeDir);  // the runs, and a timed bulk ingestion
//   const server = await startBenchServer({ DATABASE_URL: db.url, SPIKELAB_STORE: storeDir });
//   const timings = await measureCompare(server.url, db.url, storeDir);  // what bench:api reports
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONVERSION_CONFIG, summariseSeries } from '../src/formats/index.js';
import type { StepMetricRow } from '../src/registry/metrics.js';
import { PROJECT_ROOT } from '../src/registry/paths.js';
import type { Provider } from '../src/registry/provider.js';
import { openRegistry } from '../src/registry/registry.js';
import { startPgCluster } from '../src/tools/pg-cluster.js';
import { percentile } from './stats.js';

export const RUNS = Number(process.env.BENCH_RUNS ?? 200);
export const T = 256;
export const METRICS = ['accuracy', 'top5', 'loss', 'confidence', 'agreement'];
export const COMPARE_STEPS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const ARCHS: [string, string, number][] = [['cnn-small', 'plain', 0.4e6], ['vgg11', 'plain', 9.2e6], ['vgg16', 'plain', 14.7e6], ['resnet18', 'residual', 11.2e6], ['resnet50', 'residual', 23.5e6]];

export const COMPARE_FIELDS = 'metric steps rows { conversionRunId backbone architecture family parameterCount pretraining dataset metric timeSteps annValue values losses best bestStep firstStepWithin1 lossAtT sops annMacs energyRatio }';
/** Compare over every succeeded run at COMPARE_STEPS (the primary metric, summaries stored with the runs). */
export const COMPARE = `query($steps: [Int!]) { compare(filter: { status: "SUCCEEDED" }, steps: $steps) { ${COMPARE_FIELDS} } }`;
/** The same over a metric that is not the runs' primary one (its summaries stored at completion, MetricSummary). */
export const COMPARE_TOP5 = `query($steps: [Int!]) { compare(filter: { status: "SUCCEEDED" }, metric: "top5", steps: $steps) { ${COMPARE_FIELDS} } }`;


export interface BenchDatabase {
  provider: Provider;
  url: string;
  /** Stops a throw-away PostgreSQL cluster (nothing for SQLite: the file goes with its directory). */
  stop(): Promise<void>;
}

/**
 * The database a benchmark runs on: an SQLite file in `dir`, or a throw-away PostgreSQL cluster
 * with production durability (fsync and synchronous commit on).
 */
export async function benchDatabase(provider: Provider, dir: string): Promise<BenchDatabase> {
  if (provider === 'sqlite') return { provider, url: `file:${join(dir, 'bench.db')}`, stop: () => Promise.resolve() };
  const cluster = await startPgCluster({ durable: true });
  try {
    return { provider, url: await cluster.createDatabase('bench'), stop: () => cluster.stop() };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/** The bench's value of metric `m` of run `id` after step t. */
function valueAt(id: number, t: number): number {
  return 0.93 * (1 - Math.exp(-t / 30)) + 0.001 * Math.sin(id + t);
}

function* stepRows(ids: number[]): Generator<StepMetricRow> {
  for (const id of ids) {
    for (const name of METRICS) {
      for (let t = 1; t <= T; t++) yield [id, name, t, valueAt(id, t)];
    }
  }
}

export interface Seeded {
  /** The RUNS succeeded runs compare reads. */
  ids: number[];
  /** Step-metric rows bulk-ingested, timed, into RUNS more runs of their own (left running). */
  rows: number;
  ingestSeconds: number;
  /** CPU seconds of this process while ingesting (for PostgreSQL the server's work is not in it). */
  ingestCpuSeconds: number;
}

/**
 * A data set, 20 models with a checkpoint each, and RUNS conversion runs finished through the
 * registry's completion path (summary, step metrics and their summaries, SUCCEEDED in one
 * transaction): what compare reads. Then, timed, RUNS × 256 × 5 step-metric rows bulk-ingested in
 * one transaction into RUNS more runs that stay RUNNING (the path a worker's metrics take).
 */
export async function seedCompareRuns(databaseUrl: string, storeDir: string): Promise<Seeded> {
  const reg = await openRegistry({ databaseUrl, storeDir });
  try {
    const ds = await reg.prisma.dataset.create({ data: { name: 'bench-cifar', liveName: 'bench-cifar', format: 'synthetic-classification', task: 'classification', synthetic: true, imageShape: [32, 32, 3], numClasses: 10 } });
    const checkpoints: number[] = [];
    for (let m = 0; m < 20; m++) {
      const [arch, family, params] = ARCHS[m % ARCHS.length]!;
      const spec = { architecture: arch, inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1 };
      const model = await reg.prisma.model.create({ data: { name: `${arch}-${m}`, liveName: `${arch}-${m}`, architecture: arch, family, parameterCount: Math.round(params * (1 + m / 20)), macs: params * 40, pretraining: m % 2 ? 'supervised' : 'contrastive', spec } });
      const sha = (m + 1).toString(16).padStart(64, '0');
      const cp = await reg.prisma.checkpoint.create({ data: { modelId: model.id, sha256: sha, sizeBytes: BigInt(1000), format: 'tfjs-layers', manifest: { format: 'tfjs-layers', spec, weightSpecs: [], weightsSha256: sha, createdAt: new Date().toISOString() } } });
      checkpoints.push(cp.id);
    }
    const config = { ...DEFAULT_CONVERSION_CONFIG, timeSteps: T, percentile: 0.99, gamma: 5, channelWise: false, batchSize: 64 };
    const running = async (r: number): Promise<{ runId: number; jobId: number }> => {
      const job = await reg.prisma.job.create({ data: { kind: 'conversion', status: 'RUNNING', payload: {}, startedAt: new Date() } });
      const run = await reg.prisma.conversionRun.create({ data: { checkpointId: checkpoints[r % checkpoints.length]!, datasetId: ds.id, ...config, seed: r, task: 'classification', status: 'RUNNING', jobId: job.id } });
      return { runId: run.id, jobId: job.id };
    };
    const ids: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const { runId, jobId } = await running(r);
      const stepMetrics = Object.fromEntries(METRICS.map((name) => [name, Array.from({ length: T }, (_, i) => valueAt(runId, i + 1))]));
      const annMetrics = { accuracy: 0.93, top5: 0.99 };
      const summary = { primaryMetric: 'accuracy', annValue: 0.93, ...summariseSeries(0.93, stepMetrics.accuracy!), sops: 3e8, annMacs: 6e8, energyRatio: 0.098, eAcPj: 0.9, eMacPj: 4.6 };
      await reg.conversionRuns.complete(runId, jobId, { task: 'classification', config: { ...config, seed: r }, backend: 'cpu', samples: 10000, annMetrics, stepMetrics, layerStats: [], summary, warnings: [] });
      ids.push(runId);
    }
    const ingestInto: { runId: number; jobId: number }[] = [];
    for (let r = 0; r < RUNS; r++) ingestInto.push(await running(r));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const rows = await reg.metrics.ingest(stepRows(ingestInto.map((x) => x.runId)));
    const cpu = process.cpuUsage(c0);
    // the ingestion's runs end CANCELLED: left RUNNING with no worker, the server under test
    // recovered, claimed and failed each of them (three attempts) while compare was being timed,
    // and every one of those commits invalidated the compare cache
    const finishedAt = new Date();
    await reg.prisma.$transaction([
      reg.prisma.conversionRun.updateMany({ where: { id: { in: ingestInto.map((x) => x.runId) } }, data: { status: 'CANCELLED', finishedAt } }),
      reg.prisma.job.updateMany({ where: { id: { in: ingestInto.map((x) => x.jobId) } }, data: { status: 'CANCELLED', finishedAt } }),
    ]);
    return { ids, rows, ingestSeconds: (performance.now() - t0) / 1000, ingestCpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await reg.close();
  }
}

export interface BenchServer {
  child: ChildProcess;
  /** The GraphQL endpoint. */
  url: string;
  stop(): Promise<void>;
}

/** `node dist/src/server.js` in a child process with `env` (DATABASE_URL, SPIKELAB_STORE, …), on a free loopback port. */
export async function startBenchServer(env: NodeJS.ProcessEnv): Promise<BenchServer> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist/src/server.js')], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SPIKELAB_WORKERS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /GraphQL at (http:\/\/\S+\/graphql)/.exec(String(d));
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${log}`)));
  });
  return {
    child,
    url,
    stop: async () => {
      // a server ended by a signal has signalCode, not exitCode: a second stop must not wait for an exit that happened
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<{ ok: boolean; body: { data?: unknown; errors?: unknown[] } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  return { ok: res.ok && !body.errors, body };
}

/** One compare request (COMPARE by default); true when it answered without errors. */
export async function compareOnce(url: string, query = COMPARE): Promise<boolean> {
  return (await post(url, query, { steps: COMPARE_STEPS })).ok;
}

/** Checks that compare answers one row per seeded run (throws otherwise). */
export async function checkCompare(url: string, query = COMPARE): Promise<void> {
  const r = await post(url, query, { steps: COMPARE_STEPS });
  const matrix = (r.body.data as { compare: { rows: unknown[] } } | undefined)?.compare;
  if (!r.ok || matrix?.rows.length !== RUNS) throw new Error(`compare returned ${JSON.stringify(r.body).slice(0, 300)}`);
}

export interface Timing {
  p50: number;
  p95: number;
  errors: number;
}

/** `n` sequential calls after 20 warm-up calls; wall-clock milliseconds. `before` (untimed) runs ahead of each. */
export async function timeRequests(n: number, op: (i: number) => Promise<boolean>, before?: (i: number) => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 20; i++) {
    await before?.(i);
    await op(i);
  }
  const ms: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    await before?.(i);
    const t0 = performance.now();
    if (!(await op(i))) errors++;
    ms.push(performance.now() - t0);
  }
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), errors };
}

export interface CompareTimings {
  /** COMPARE repeated (its result cached by the server): bench:api's compareP95Ms, bench:scale's pgCompareP95Ms. */
  repeated: Timing;
  /** COMPARE, each request after another connection's write (no cached result: the full execution). */
  afterWrite: Timing;
  /** COMPARE_TOP5 (not the primary metric) after a write: stored summaries + values at the steps. */
  top5AfterWrite: Timing;
}

/**
 * Times `compare` through the server at `graphqlUrl` over the seeded runs (seedCompareRuns) of
 * `databaseUrl`: 200 repeated requests, then 100 after a write each (an untimed update of the bench
 * data set's description through a registry of this process, as another replica's write would be),
 * on the primary metric and on top5. Throws when compare does not answer one row per seeded run.
 */
export async function measureCompare(graphqlUrl: string, databaseUrl: string, storeDir: string): Promise<CompareTimings> {
  await checkCompare(graphqlUrl);
  await checkCompare(graphqlUrl, COMPARE_TOP5);
  const repeated = await timeRequests(200, () => compareOnce(graphqlUrl));
  const writer = await openRegistry({ databaseUrl, storeDir, migrate: false });
  try {
    const touch = (i: number) => writer.prisma.dataset.updateMany({ where: { name: 'bench-cifar' }, data: { description: `bench write ${i}` } });
    const afterWrite = await timeRequests(100, () => compareOnce(graphqlUrl), touch);
    const top5AfterWrite = await timeRequests(100, () => compareOnce(graphqlUrl, COMPARE_TOP5), touch);
    return { repeated, afterWrite, top5AfterWrite };
  } finally {
    await writer.close();
  }
}

/**
 * bench:scale's `pgCompareP95Ms` in one call: a throw-away PostgreSQL cluster (fsync on), the
 * bench:api data (RUNS runs × 256 steps × 5 metrics), one server in a child process (`serverEnv`
 * added to its environment, e.g. SPIKELAB_QUEUE), measureCompare; everything stopped and removed
 * afterwards. `pgCompareP95Ms` is `.repeated.p95`, the figure bench:api reports as compareP95Ms.
 */
export async function measurePgCompare(serverEnv: NodeJS.ProcessEnv = {}): Promise<CompareTimings> {
  const dir = mkdtempSync(join(tmpdir(), 'spikelab-bench-compare-'));
  const storeDir = join(dir, 'store');
  const db = await benchDatabase('postgresql', dir);
  let server: BenchServer | null = null;
  try {
    await seedCompareRuns(db.url, storeDir);
    server = await startBenchServer({ ...serverEnv, DATABASE_URL: db.url, SPIKELAB_STORE: storeDir });
    return await measureCompare(server.url, db.url, storeDir);
  } finally {
    await server?.stop();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
