// API benchmark: seeds 200 conversion runs × 256 steps × 5 metrics, then measures through the real
// server (a child process, GraphQL over HTTP on loopback): metric ingestion rate (hand-written bulk
// SQL, one transaction), `compare` over all runs at 9 steps (repeated, after a write, and on a
// metric that is not the runs' primary one, with and without its stored summaries),
// `stepMetrics(sample: 100)`, and 50 concurrent clients
// for 20 s. Prints a table, then one JSON line (last line).
//   npm run bench:api                            SQLite (the embedded default)
//   BENCH_DATABASE=postgres npm run bench:api    a throw-away PostgreSQL cluster (src/tools/pg-cluster.ts)
//   (BENCH_LOAD_S, BENCH_CLIENTS, BENCH_RUNS override the sizes)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { openRegistry } from '../src/registry/registry.js';
import { percentile } from './stats.js';
import { benchDatabase, COMPARE, COMPARE_STEPS, COMPARE_TOP5, compareOnce, measureCompare, METRICS, post, RUNS, seedCompareRuns, startBenchServer, T, timeRequests, type BenchServer } from './compare-data.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const LOAD_S = Number(process.env.BENCH_LOAD_S ?? 20);
const PROVIDER = /^postgres(ql)?$/i.test(process.env.BENCH_DATABASE ?? '') ? 'postgresql' : 'sqlite';

/** CPU milliseconds (user + system) the server process has used so far (Linux /proc). */
function serverCpuMs(child: ChildProcess): number {
  try {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

const SAMPLED = 'query($id: ID!) { conversionRun(id: $id) { id stepMetrics(name: "accuracy", sample: 100) { step value } } }';
const PAGE = '{ conversionRuns(first: 50, filter: { family: "residual" }) { totalCount nodes { id timeSteps best bestStep } } }';

async function load(url: string, ids: number[]): Promise<{ requests: number; errors: number; p95: number }> {
  const end = Date.now() + LOAD_S * 1000;
  let requests = 0;
  let errors = 0;
  const ms: number[] = [];
  const client = async (c: number): Promise<void> => {
    for (let i = 0; Date.now() < end; i++) {
      const kind = (c + i) % 3;
      const t0 = performance.now();
      try {
        const r = kind === 0 ? await post(url, COMPARE, { steps: COMPARE_STEPS }) : kind === 1 ? await post(url, SAMPLED, { id: String(ids[(c * 7 + i) % ids.length]) }) : await post(url, PAGE);
        if (!r.ok) errors++;
      } catch {
        errors++;
      }
      requests++;
      ms.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  return { requests, errors, p95: percentile(ms, 0.95) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'spikelab-bench-api-'));
  const storeDir = join(dir, 'store');
  const db = await benchDatabase(PROVIDER, dir);
  let server: BenchServer | null = null;
  try {
    const seeded = await seedCompareRuns(db.url, storeDir);
    const { ids, rows } = seeded;
    const ingestRowsPerS = Math.round(rows / seeded.ingestSeconds);
    const ingestCpuRowsPerS = Math.round(rows / seeded.ingestCpuSeconds);

    server = await startBenchServer({ DATABASE_URL: db.url, SPIKELAB_STORE: storeDir });
    const { url, child } = server;
    const { repeated: compare, afterWrite: cold, top5AfterWrite: top5 } = await measureCompare(url, db.url, storeDir);
    // the server's CPU time per repeated compare: 20 warm-up + 100 requests
    const cpu0 = serverCpuMs(child);
    await timeRequests(100, () => compareOnce(url));
    const compareCpuMs = (serverCpuMs(child) - cpu0) / 120;
    // the same without the stored summaries of other metrics (as for runs that succeeded before
    // them, and for every run before they existed): each run's whole series is read and summarised
    const writer = await openRegistry({ databaseUrl: db.url, storeDir, migrate: false });
    let top5Series;
    try {
      await writer.prisma.metricSummary.deleteMany({});
      const touch = (i: number) => writer.prisma.dataset.updateMany({ where: { name: 'bench-cifar' }, data: { description: `bench series ${i}` } });
      top5Series = await timeRequests(100, () => compareOnce(url, COMPARE_TOP5), touch);
    } finally {
      await writer.close();
    }
    const sampled = await timeRequests(200, async (i) => (await post(url, SAMPLED, { id: String(ids[i % ids.length]) })).ok);
    const loaded = await load(url, ids);

    const table = [
      ['measure', 'value'],
      ['database', PROVIDER === 'sqlite' ? 'SQLite (file in a temporary directory)' : 'PostgreSQL (throw-away cluster, fsync on, same machine)'],
      ['step-metric rows ingested', `${rows.toLocaleString('en')} in ${seeded.ingestSeconds.toFixed(2)} s = ${ingestRowsPerS.toLocaleString('en')} rows/s (target ≥ 100 000; ${ingestCpuRowsPerS.toLocaleString('en')} per CPU-second of this process)`],
      [`compare, ${RUNS} runs × ${COMPARE_STEPS.length} steps (HTTP, repeated)`, `p50 ${compare.p50.toFixed(1)} ms, p95 ${compare.p95.toFixed(1)} ms (target p95 ≤ 25; server CPU ${compareCpuMs.toFixed(1)} ms/request)`],
      ['compare, same, each after a database write', `p50 ${cold.p50.toFixed(1)} ms, p95 ${cold.p95.toFixed(1)} ms (no cached result: full execution)`],
      ['compare on top5 (not the primary metric), after a write', `p50 ${top5.p50.toFixed(1)} ms, p95 ${top5.p95.toFixed(1)} ms (stored summaries + values at the 9 steps)`],
      ['the same, summaries not stored (whole series read)', `p50 ${top5Series.p50.toFixed(1)} ms, p95 ${top5Series.p95.toFixed(1)} ms (runs that succeeded before summaries were stored)`],
      ['stepMetrics(sample: 100) of 256 steps (HTTP)', `p50 ${sampled.p50.toFixed(1)} ms, p95 ${sampled.p95.toFixed(1)} ms`],
      ['machine', `${cpus().length} CPUs, 1-min load average ${loadavg()[0]!.toFixed(1)} (latencies are wall-clock)`],
      [`load: ${CLIENTS} clients × ${LOAD_S} s (compare / sampled / page)`, `${loaded.requests} requests, ${loaded.errors} errors, p95 ${loaded.p95.toFixed(1)} ms`],
    ];
    const w = [Math.max(...table.map((r) => r[0]!.length)), 0];
    console.log(table.map((r, i) => `${r[0]!.padEnd(w[0]!)}  ${r[1]}${i === 0 ? '\n' + '-'.repeat(w[0]!) + '  -----' : ''}`).join('\n'));
    console.log(JSON.stringify({
      database: PROVIDER,
      ingestRowsPerS,
      ingestCpuRowsPerS,
      compareP50Ms: +compare.p50.toFixed(2),
      compareP95Ms: +compare.p95.toFixed(2),
      compareServerCpuMs: +compareCpuMs.toFixed(2),
      compareAfterWriteP50Ms: +cold.p50.toFixed(2),
      compareAfterWriteP95Ms: +cold.p95.toFixed(2),
      compareTop5P50Ms: +top5.p50.toFixed(2),
      compareTop5P95Ms: +top5.p95.toFixed(2),
      compareTop5FromSeriesP50Ms: +top5Series.p50.toFixed(2),
      compareTop5FromSeriesP95Ms: +top5Series.p95.toFixed(2),
      sampledP50Ms: +sampled.p50.toFixed(2),
      sampledP95Ms: +sampled.p95.toFixed(2),
      loadRequests: loaded.requests,
      loadErrors: loaded.errors + compare.errors + cold.errors + top5.errors + top5Series.errors + sampled.errors,
      loadP95Ms: +loaded.p95.toFixed(2),
      loadAverage: +loadavg()[0]!.toFixed(2),
      runs: RUNS,
      steps: T,
      metrics: METRICS.length,
      clients: CLIENTS,
      loadSeconds: LOAD_S,
    }));
  } finally {
    await server?.stop();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
