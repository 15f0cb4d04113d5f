// API benchmark: seeds 200 conversion runs × 256 steps × 5 metrics, then measures through the real
// server (a child process, GraphQL over HTTP on loopback): metric ingestion rate (raw prepared
// statement, one transaction), `compare` over all runs at 9 steps, `stepMetrics(sample: 100)`, and
// 50 concurrent clients for 20 s. Prints a table, then one JSON line (last line).
//   npm run bench:api        (BENCH_LOAD_S, BENCH_CLIENTS, BENCH_RUNS override the sizes)
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRawDatabase } from '../src/registry/db.js';
import { ingestStepMetrics, type StepMetricRow } from '../src/registry/metrics.js';
import { openRegistry } from '../src/registry/registry.js';
import { PROJECT_ROOT } from '../src/registry/paths.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const T = 256;
const METRICS = ['accuracy', 'top5', 'loss', 'confidence', 'agreement'];
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const LOAD_S = Number(process.env.BENCH_LOAD_S ?? 20);
const ARCHS: [string, string, number][] = [['cnn-small', 'plain', 0.4e6], ['vgg11', 'plain', 9.2e6], ['vgg16', 'plain', 14.7e6], ['resnet18', 'residual', 11.2e6], ['resnet50', 'residual', 23.5e6]];

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
}

/** Dataset, 20 models with a checkpoint each, RUNS succeeded conversion runs with summaries. */
async function seed(databaseUrl: string, storeDir: string): Promise<number[]> {
  const reg = await openRegistry({ databaseUrl, storeDir });
  try {
    const ds = await reg.prisma.dataset.create({ data: { name: 'bench-cifar', format: 'synthetic-classification', task: 'classification', synthetic: true, imageShape: [32, 32, 3], numClasses: 10 } });
    const checkpoints: number[] = [];
    for (let m = 0; m < 20; m++) {
      const [arch, family, params] = ARCHS[m % ARCHS.length]!;
      const spec = { architecture: arch, inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1 };
      const model = await reg.prisma.model.create({ data: { name: `${arch}-${m}`, architecture: arch, family, parameterCount: Math.round(params * (1 + m / 20)), macs: params * 40, pretraining: m % 2 ? 'supervised' : 'contrastive', spec } });
      const sha = (m + 1).toString(16).padStart(64, '0');
      const cp = await reg.prisma.checkpoint.create({ data: { modelId: model.id, sha256: sha, sizeBytes: BigInt(1000), format: 'tfjs-layers', manifest: { format: 'tfjs-layers', spec, weightSpecs: [], weightsSha256: sha, createdAt: new Date().toISOString() } } });
      checkpoints.push(cp.id);
    }
    const ids: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const run = await reg.prisma.conversionRun.create({
        data: {
          checkpointId: checkpoints[r % checkpoints.length]!, datasetId: ds.id, timeSteps: T, percentile: 0.99, gamma: 5, channelWise: false, maxPool: 'lipool', reset: 'subtract', vInit: 0,
          calibrationBatches: 1, batchSize: 64, seed: r, task: 'classification', status: 'RUNNING', annMetrics: { accuracy: 0.93, top5: 0.99 }, primaryMetric: 'accuracy', annValue: 0.93,
          best: 0.925, bestStep: 200, firstStepWithin1: 120, lossAtT: 0.006, sops: 3e8, annMacs: 6e8, energyRatio: 0.098, eAcPj: 0.9, eMacPj: 4.6, samples: 10000, warnings: [],
        },
      });
      ids.push(run.id);
    }
    return ids;
  } finally {
    await reg.close();
  }
}

function* stepRows(ids: number[]): Generator<StepMetricRow> {
  for (const id of ids) {
    for (const name of METRICS) {
      for (let t = 1; t <= T; t++) yield [id, name, t, 0.93 * (1 - Math.exp(-t / 30)) + 0.001 * Math.sin(id + t)];
    }
  }
}

async function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist/src/server.js')], { env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /GraphQL at (http:\/\/\S+\/graphql)/.exec(String(d));
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${log}`)));
  });
  return { child, url };
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<{ ok: boolean; body: { data?: unknown; errors?: unknown[] } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  return { ok: res.ok && !body.errors, body };
}

/** CPU milliseconds (user + system) the server process has used so far (Linux /proc). */
function serverCpuMs(child: ChildProcess): number {
  try {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function timed(n: number, op: (i: number) => Promise<boolean>): Promise<{ p50: number; p95: number; errors: number }> {
  for (let i = 0; i < 20; i++) await op(i); // warm-up
  const ms: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    if (!(await op(i))) errors++;
    ms.push(performance.now() - t0);
  }
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), errors };
}

const COMPARE = `query($steps: [Int!]) { compare(filter: { status: "SUCCEEDED" }, steps: $steps) { metric steps rows { conversionRunId backbone architecture family parameterCount pretraining dataset metric timeSteps annValue values losses best bestStep firstStepWithin1 lossAtT sops annMacs energyRatio } } }`;
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
        const r = kind === 0 ? await post(url, COMPARE, { steps: [1, 2, 4, 8, 16, 32, 64, 128, 256] }) : kind === 1 ? await post(url, SAMPLED, { id: String(ids[(c * 7 + i) % ids.length]) }) : await post(url, PAGE);
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
  const databaseUrl = `file:${join(dir, 'bench.db')}`;
  const storeDir = join(dir, 'store');
  let child: ChildProcess | null = null;
  try {
    const ids = await seed(databaseUrl, storeDir);
    const raw = openRawDatabase(databaseUrl);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const rows = ingestStepMetrics(raw, stepRows(ids));
    const cpu = process.cpuUsage(c0);
    const ingestS = (performance.now() - t0) / 1000;
    const ingestCpuRowsPerS = Math.round(rows / ((cpu.user + cpu.system) / 1e6));
    // the runs finish: their metrics are now final (ingestion refuses succeeded runs)
    raw.prepare(`UPDATE "ConversionRun" SET "status" = 'SUCCEEDED' WHERE "id" IN (SELECT value FROM json_each(?))`).run(JSON.stringify(ids));
    raw.close();
    const ingestRowsPerS = Math.round(rows / ingestS);

    const server = await startServer({ DATABASE_URL: databaseUrl, SPIKELAB_STORE: storeDir, SPIKELAB_WORKERS: '1' });
    child = server.child;
    const steps = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    const check = await post(server.url, COMPARE, { steps });
    const matrix = (check.body.data as { compare: { rows: unknown[]; steps: number[] } } | undefined)?.compare;
    if (!check.ok || matrix?.rows.length !== RUNS) throw new Error(`compare returned ${JSON.stringify(check.body).slice(0, 300)}`);
    const cpu0 = serverCpuMs(child);
    const compare = await timed(200, async () => (await post(server.url, COMPARE, { steps })).ok);
    const compareCpuMs = (serverCpuMs(child) - cpu0) / 220;
    // the same query after a write (every cached result invalid): the full execution path
    const writer = openRawDatabase(databaseUrl);
    const touch = writer.prepare('UPDATE "Dataset" SET "description" = ? WHERE "id" = (SELECT MIN("id") FROM "Dataset")');
    const cold = await timed(100, async (i) => {
      touch.run(`bench write ${i}`);
      return (await post(server.url, COMPARE, { steps })).ok;
    });
    writer.close();
    const sampled = await timed(200, async (i) => (await post(server.url, SAMPLED, { id: String(ids[i % ids.length]) })).ok);
    const loaded = await load(server.url, ids);

    const table = [
      ['measure', 'value'],
      ['step-metric rows ingested', `${rows.toLocaleString('en')} in ${ingestS.toFixed(2)} s = ${ingestRowsPerS.toLocaleString('en')} rows/s (target ≥ 100 000; ${ingestCpuRowsPerS.toLocaleString('en')} per CPU-second)`],
      [`compare, ${RUNS} runs × ${steps.length} steps (HTTP, repeated)`, `p50 ${compare.p50.toFixed(1)} ms, p95 ${compare.p95.toFixed(1)} ms (target p95 ≤ 25; server CPU ${compareCpuMs.toFixed(1)} ms/request)`],
      ['compare, same, each after a database write', `p50 ${cold.p50.toFixed(1)} ms, p95 ${cold.p95.toFixed(1)} ms (no cached result: full execution)`],
      ['stepMetrics(sample: 100) of 256 steps (HTTP)', `p50 ${sampled.p50.toFixed(1)} ms, p95 ${sampled.p95.toFixed(1)} ms`],
      ['machine', `${cpus().length} CPUs, 1-min load average ${loadavg()[0]!.toFixed(1)} (latencies are wall-clock)`],
      [`load: ${CLIENTS} clients × ${LOAD_S} s (compare / sampled / page)`, `${loaded.requests} requests, ${loaded.errors} errors, p95 ${loaded.p95.toFixed(1)} ms`],
    ];
    const w = [Math.max(...table.map((r) => r[0]!.length)), 0];
    console.log(table.map((r, i) => `${r[0]!.padEnd(w[0]!)}  ${r[1]}${i === 0 ? '\n' + '-'.repeat(w[0]!) + '  -----' : ''}`).join('\n'));
    console.log(JSON.stringify({
      ingestRowsPerS,
      ingestCpuRowsPerS,
      compareP50Ms: +compare.p50.toFixed(2),
      compareP95Ms: +compare.p95.toFixed(2),
      compareServerCpuMs: +compareCpuMs.toFixed(2),
      compareAfterWriteP50Ms: +cold.p50.toFixed(2),
      compareAfterWriteP95Ms: +cold.p95.toFixed(2),
      sampledP50Ms: +sampled.p50.toFixed(2),
      sampledP95Ms: +sampled.p95.toFixed(2),
      loadRequests: loaded.requests,
      loadErrors: loaded.errors + compare.errors + cold.errors + sampled.errors,
      loadP95Ms: +loaded.p95.toFixed(2),
      loadAverage: +loadavg()[0]!.toFixed(2),
      runs: RUNS,
      steps: T,
      metrics: METRICS.length,
      clients: CLIENTS,
      loadSeconds: LOAD_S,
    }));
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
