// Scale-out benchmark: one API server on PostgreSQL (a throw-away cluster) with the Redis job queue
// (a throw-away redis-server), and 1, 2 and 4 `spikelab worker` processes on this machine (one
// ONNX Runtime thread each, SPIKELAB_THREADS=1) working through BENCH_JOBS (40) short CPU-bound
// conversion jobs, in BENCH_ROUNDS (3) rounds that alternate the worker counts. Reports jobs/min
// per worker count (the median round), the 2-worker speed-up (the median of each round's ratio),
// the queue's added latency per job (from the Job rows: the time from the slot's previous job
// ending, or the job's creation when the slot was idle, to the job being claimed), and API
// `compare` p95 on PostgreSQL over the 200-run data of bench:api (bench/compare-data.ts), and each
// CPU's own speed before and after the rounds (bench/cpu-probe.ts: on a shared virtual machine the two
// CPUs need not be equal, which bounds what 2 workers can reach). Readable table, then one JSON line
// (last line).
//   npm run bench:scale  (BENCH_JOBS, BENCH_ROUNDS, BENCH_WORKERS=1,2,4, BENCH_T=128, BENCH_COMPARE=0 override)
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/registry/paths.js';
import { openRegistry } from '../src/registry/registry.js';
import { postgresUnavailableReason, startPgCluster } from '../src/tools/pg-cluster.js';
import { redisUnavailableReason, startRedis } from '../src/tools/redis-server.js';
import { measurePgCompare, post, startBenchServer } from './compare-data.js';
import { describeProbe, probeCpus } from './cpu-probe.js';
import { median, percentile } from './stats.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 40);
const COUNTS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Short CPU-bound jobs: a tiny cnn-small on 8×8 synthetic images, each job one test batch of BENCH_TEST (1 024)
// images simulated for T steps (BENCH_T, default 128) with one calibration batch: the worker's
// thread computes for most of the job, the server does one claim, one batch commit and one finish.
const DATASET = { name: 'scale-syn', format: 'synthetic-classification', options: { size: 8, numClasses: 10, trainCount: 128, testCount: Number(process.env.BENCH_TEST ?? 1024), channels: 1, seed: 3 } };
const MODEL = { name: 'scale-cnn', architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 10, widthMultiplier: 0.5 };
const TRAINING = { epochs: 1, batchSize: 32, learningRate: 0.01, validationSplit: 0.25, augment: false };
const CONVERSION = { timeSteps: Number(process.env.BENCH_T ?? 128), batchSize: DATASET.options.testCount, calibrationBatches: 1 };

interface Proc {
  child: ChildProcess;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function startWorker(server: string, queue: string, cache: string): Promise<Proc> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'client/bin/spikelab.js'), 'worker', '--server', server, '--queue', queue, '--cache', cache, '--concurrency', '1'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SPIKELAB_THREADS: '1', SPIKELAB_BACKEND: 'cpu' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      log += String(d);
      if (/registered with/.test(log)) resolve({ child, stop });
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${log}`)));
  });
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await post(url, query, variables);
  if (!r.ok) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(r.body.errors ?? r.body).slice(0, 300)}`);
  return r.body.data as T;
}

interface JobRow {
  id: number;
  status: string;
  workerId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Per job: claim time minus the later of its creation and the end of its slot's previous job. */
function queueGaps(rows: JobRow[]): number[] {
  const bySlot = new Map<string, JobRow[]>();
  for (const r of rows) bySlot.set(r.workerId ?? '?', [...(bySlot.get(r.workerId ?? '?') ?? []), r]);
  const gaps: number[] = [];
  for (const list of bySlot.values()) {
    list.sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
    list.forEach((r, i) => {
      const free = Math.max(r.createdAt.getTime(), i > 0 ? list[i - 1]!.finishedAt!.getTime() : 0);
      gaps.push(r.startedAt!.getTime() - free);
    });
  }
  return gaps;
}

async function main(): Promise<void> {
  // the benchmark's server has no API token: a token or server from the caller's environment
  // (e.g. SPIKELAB_TOKEN for another server) must not reach its workers
  delete process.env.SPIKELAB_TOKEN;
  delete process.env.SPIKELAB_URL;
  delete process.env.SPIKELAB_QUEUE;
  const missing = [redisUnavailableReason(), postgresUnavailableReason()].filter((r) => r !== null);
  if (missing.length > 0) throw new Error(`bench:scale needs ${missing.join('; ')}`);
  const load0 = loadavg()[0]!;
  // each CPU's own speed, before and after the rounds (bench/cpu-probe.ts): what 2 workers can reach
  const probeBefore = await probeCpus();
  const dir = mkdtempSync(join(tmpdir(), 'spikelab-bench-scale-'));
  const redis = await startRedis();
  const cluster = await startPgCluster({ durable: true });
  const cleanups: (() => Promise<void>)[] = [() => redis.stop(), () => cluster.stop()];
  const results: { round: number; workers: number; seconds: number; jobsPerMin: number; p50: number; p95: number; runMs: number }[] = [];
  const allGaps: number[] = [];
  try {
    const databaseUrl = await cluster.createDatabase('scale');
    const store = join(dir, 'store');
    mkdirSync(store);
    const server = await startBenchServer({ DATABASE_URL: databaseUrl, SPIKELAB_STORE: store, SPIKELAB_QUEUE: redis.url });
    cleanups.unshift(() => server.stop());
    process.stderr.write(`API server on PostgreSQL + Redis at ${server.url}\n`);
    const base = server.url.replace(/\/graphql$/, '');
    const datasetId = (await gql<{ registerDataset: { id: string } }>(server.url, 'mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: DATASET })).registerDataset.id;
    const modelId = (await gql<{ createModel: { id: string } }>(server.url, 'mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: MODEL })).createModel.id;
    const reg = await openRegistry({ databaseUrl, storeDir: store });
    cleanups.unshift(() => reg.close());
    // Polled once a second with one count: the timings come from the rows' timestamps, not from
    // when the poll sees them, and the benchmark's own queries take CPU the workers would use.
    const waitJobs = async (ids: number[], what: string): Promise<JobRow[]> => {
      while ((await reg.prisma.job.count({ where: { id: { in: ids }, status: { in: ['QUEUED', 'RUNNING'] } } })) > 0) await sleep(1000);
      const rows = await reg.prisma.job.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, workerId: true, createdAt: true, startedAt: true, finishedAt: true } });
      const bad = rows.find((r) => r.status !== 'SUCCEEDED');
      if (bad) throw new Error(`${what}: job ${bad.id} ${bad.status}`);
      return rows;
    };

    process.stderr.write('training the benchmark model on one worker…\n');
    const trainer = await startWorker(base, redis.url, join(dir, 'cache-train'));
    const tr = (await gql<{ startTraining: { id: string; job: { id: string } } }>(server.url, 'mutation($i: StartTrainingInput!) { startTraining(input: $i) { id job { id } } }', { i: { modelId, datasetId, config: TRAINING } })).startTraining;
    await waitJobs([Number(tr.job.id)], 'training');
    await trainer.stop();
    const checkpointId = (await gql<{ trainingRun: { resultCheckpointId: string } }>(server.url, 'query($id: ID!) { trainingRun(id: $id) { resultCheckpointId } }', { id: tr.id })).trainingRun.resultCheckpointId;
    // force: every request computes (identical requests are otherwise answered by the first run, cached)
    const submit = async (): Promise<number> =>
      Number((await gql<{ startConversion: { job: { id: string } } }>(server.url, 'mutation($i: StartConversionInput!) { startConversion(input: $i) { job { id } } }', { i: { checkpointId, datasetId, config: CONVERSION, backend: 'cpu', force: true } })).startConversion.job.id);

    // Rounds alternate the worker counts (1, 2, 4, 1, 2, 4, …): a change of the machine's speed
    // during the run (these machines are shared) reaches every count alike; per count the median
    // round is reported, and the 2-worker speed-up is the median of each round's own ratio.
    for (let round = 1; round <= ROUNDS; round++) {
      for (const n of COUNTS) {
        const workers = await Promise.all(Array.from({ length: n }, (_, i) => startWorker(base, redis.url, join(dir, `cache-${n}-${i}`))));
        try {
          // warm-up, not timed: every worker fetches the inputs into its cache and loads its engine
          await waitJobs(await Promise.all(Array.from({ length: 2 * n }, submit)), 'warm-up');
          const t0 = Date.now();
          const ids: number[] = [];
          for (let i = 0; i < JOBS; i++) ids.push(await submit());
          const rows = await waitJobs(ids, `${n} worker(s)`);
          const end = Math.max(...rows.map((r) => r.finishedAt!.getTime()));
          const seconds = (end - t0) / 1000;
          const gaps = queueGaps(rows);
          allGaps.push(...gaps);
          // a job's own time on its worker: claimed to finished
          const runMs = percentile(rows.map((r) => r.finishedAt!.getTime() - r.startedAt!.getTime()), 0.5);
          results.push({ round, workers: n, seconds, jobsPerMin: (JOBS / seconds) * 60, p50: percentile(gaps, 0.5), p95: percentile(gaps, 0.95), runMs });
          process.stderr.write(`round ${round}, ${n} worker(s): ${JOBS} jobs in ${seconds.toFixed(1)} s (median ${runMs.toFixed(0)} ms per job on its worker)\n`);
        } finally {
          await Promise.all(workers.map((w) => w.stop()));
        }
      }
    }
    await server.stop();
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }

  const probeAfter = await probeCpus();
  // compare on PostgreSQL: bench:api's 200-run data on a cluster of its own (bench/compare-data.ts)
  // (BENCH_COMPARE=0 leaves it out, for trying worker settings: pgCompareP95Ms is null then)
  const compare = process.env.BENCH_COMPARE === '0' ? null : (process.stderr.write('compare on PostgreSQL: seeding the 200 runs of bench:api…\n'), await measurePgCompare());
  const compareP95 = compare?.repeated.p95 ?? NaN;
  const compareP50 = compare?.repeated.p50 ?? NaN;

  const load1 = loadavg()[0]!;
  const perCount = COUNTS.map((n) => {
    const rs = results.filter((r) => r.workers === n);
    return { workers: n, rounds: rs, jobsPerMin: median(rs.map((r) => r.jobsPerMin)), runMs: median(rs.map((r) => r.runMs)) };
  });
  const one = perCount.find((c) => c.workers === 1)?.jobsPerMin ?? NaN;
  // each round's own 2-worker / 1-worker ratio (the two ran minutes apart at most)
  const roundRatios = Array.from({ length: ROUNDS }, (_, i) => {
    const r1 = results.find((r) => r.round === i + 1 && r.workers === 1);
    const r2 = results.find((r) => r.round === i + 1 && r.workers === 2);
    return r1 && r2 ? r2.jobsPerMin / r1.jobsPerMin : NaN;
  }).filter((x) => Number.isFinite(x));
  const speedup2 = median(roundRatios);
  const rows: [string, string][] = [
    ['machine', `${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at end`],
    ['jobs', `${JOBS} conversions (T = ${CONVERSION.timeSteps}, ${DATASET.options.testCount} test images in one batch, cnn-small 8×8 ×0.5) per worker count and round; ${ROUNDS} rounds alternating ${COUNTS.join(', ')} workers; API on PostgreSQL, queue on Redis; SPIKELAB_THREADS=1 per worker`],
    ...perCount.map((c): [string, string] => [
      `${c.workers} worker(s)`,
      `${c.jobsPerMin.toFixed(1)} jobs/min median (${(c.jobsPerMin / one).toFixed(2)}× of 1; rounds ${c.rounds.map((r) => r.jobsPerMin.toFixed(1)).join(', ')}); median job ${c.runMs.toFixed(0)} ms on its worker`,
    ]),
    ['2 workers / 1, per round', `${roundRatios.map((x) => x.toFixed(3)).join(', ')} → median ${speedup2.toFixed(3)}`],
    ['CPU speed before the rounds', describeProbe(probeBefore)],
    ['CPU speed after the rounds', describeProbe(probeAfter)],
    ['queue latency, all timed jobs', `p50 ${percentile(allGaps, 0.5).toFixed(0)} ms, p95 ${percentile(allGaps, 0.95).toFixed(0)} ms`],
    ['compare on PostgreSQL (200 runs, 9 steps)', `p50 ${compareP50.toFixed(1)} ms, p95 ${compareP95.toFixed(1)} ms (repeated; after a write p95 ${compare?.afterWrite.p95.toFixed(1) ?? '-'} ms)`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  const json = {
    jobs: JOBS,
    rounds: ROUNDS,
    jobsPerMin: Object.fromEntries(perCount.map((c) => [String(c.workers), Number(c.jobsPerMin.toFixed(2))])),
    speedup2: Number(speedup2.toFixed(3)),
    speedup2PerRound: roundRatios.map((x) => Number(x.toFixed(3))),
    queueLatencyP50Ms: Math.round(percentile(allGaps, 0.5)),
    queueLatencyP95Ms: Math.round(percentile(allGaps, 0.95)),
    pgCompareP95Ms: compare ? Number(compareP95.toFixed(2)) : null,
    loadAvg: [Number(load0.toFixed(2)), Number(load1.toFixed(2))],
    // CPU ms per probe run on each CPU, and 1 + fastest/slowest (bench/cpu-probe.ts); null: not measured
    cpuProbeMs: { before: probeBefore?.ms.map((v) => Number(v.toFixed(3))) ?? null, after: probeAfter?.ms.map((v) => Number(v.toFixed(3))) ?? null },
    twoWorkerCeiling: { before: probeBefore ? Number(probeBefore.twoWorkerCeiling.toFixed(3)) : null, after: probeAfter ? Number(probeAfter.twoWorkerCeiling.toFixed(3)) : null },
  };
  console.log(JSON.stringify(json));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
