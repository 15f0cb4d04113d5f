// Engine benchmark: converts and simulates a VGG-11 and a ResNet-18 (CIFAR-shaped, full width ×1:
// the standard models; BENCH_WIDTH=0.5 for the half-width ones) on ONNX Runtime at batch 64 and
// runs the very same converted SNN in PyTorch eager (Debian's python3-torch, /usr/bin/python3) with
// the same T, batch, threads and work, spike counting included. ORT and PyTorch runs alternate (3 each); ratios are medians of the per-pair ratios.
// Step/forward: one-off costs (session creation, first calls) are outside both timings; the SNN's
// T steps are timed between two halves of the T ANN forwards (A-B-A), so that a load change during
// the pair shifts both sides alike; the per-batch costs (reset, spike totals) are reported beside it.
// `npm run bench:engine`. Prints a table, then (last line) one JSON object for the acceptance check.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { syntheticClassification } from '../src/data/synthetic.js';
import { initBackend } from '../src/engine/backend/index.js';
import { annMacs, calibrate, chooseStepsPerCall, foldBatchNorm, nchwBatch, planSnn, SpikingNetwork } from '../src/engine/conversion/index.js';
import { extractGraph } from '../src/engine/ir/index.js';
import { AnnRunner, defaultThreads } from '../src/engine/ort/index.js';
import { buildModel } from '../src/engine/zoo/index.js';
import type { ZooArchitecture } from '../src/formats/model.js';
import { describeProbe, probeCpus } from './cpu-probe.js';
import { writeSnnSpec } from './snn-spec.js';
import { median } from './stats.js';

const MODELS = (process.env['BENCH_MODELS'] ?? 'vgg11,resnet18').split(',') as ZooArchitecture[];
const WIDTH = Number(process.env['BENCH_WIDTH'] ?? 1);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 64);
const T = Number(process.env['BENCH_T'] ?? 32);
const K_ENV = process.env['BENCH_K'];
const REPS = Number(process.env['BENCH_REPS'] ?? 3);
const PYTHON = process.env['BENCH_PYTHON'] ?? '/usr/bin/python3';
const THREADS = defaultThreads();
/**
 * The clock. With one thread per process, CPU time is the compute time and stays meaningful when
 * other processes share the cores (PyTorch reports its own process CPU time); with more threads
 * only wall time is (idle threads may spin). BENCH_CLOCK=wall|cpu overrides.
 */
const CLOCK = (process.env['BENCH_CLOCK'] ?? (THREADS === 1 ? 'cpu' : 'wall')) as 'wall' | 'cpu';
const SIZE = 32;

const ks: Record<string, number> = {};
const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** The PyTorch side: one long-lived python process answering JSON commands (bench/torch_snn.py). */
class Torch {
  private readonly answers: ((line: string) => void)[] = [];

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (line) => this.answers.shift()?.(line));
    proc.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  }

  /** Null (with the reason) when python3 or torch is missing. */
  static async start(): Promise<{ torch: Torch | null; info: string }> {
    const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status !== 0) return { torch: null, info: `PyTorch not available (${PYTHON} -c 'import torch' failed: ${(probe.stderr || String(probe.error)).trim().split('\n').pop() ?? ''}); install Debian's python3-torch` };
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'torch_snn.py');
    const t = new Torch(spawn(PYTHON, [script], { stdio: 'pipe' }));
    const r = await t.ask({ cmd: 'threads', threads: THREADS });
    return { torch: t, info: `PyTorch ${String(r['version'])} eager (${PYTHON}), ${String(r['threads'])} threads` };
  }

  ask(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.answers.push((line) => {
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
      this.proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    });
  }

  stop(): void {
    this.proc.stdin.end();
  }
}

interface ModelResult {
  name: string;
  macs: number;
  populations: number;
  annMs: number;
  stepMs: number;
  /** Median over the runs of (SNN step time / ANN forward time), each SNN run between two halves of its ANN forwards. */
  stepRatio: number;
  /** The same with the SNN's per-batch costs (reset: input-only part and initial states; spike totals) spread over the T steps. */
  batchStepRatio: number;
  ortRates: number[];
  torchRates: number[];
  /** Image-steps per CPU-second (all threads), a load-robust companion to the wall-clock rates. */
  ortCpuRates: number[];
  torchCpuRates: number[];
  agreement: string;
}

async function benchModel(arch: ZooArchitecture, torch: Torch | null, dir: string): Promise<ModelResult> {
  const spec = { architecture: arch, inputShape: [SIZE, SIZE, 3] as [number, number, number], numClasses: 10, widthMultiplier: WIDTH, ...(arch.startsWith('resnet') ? { stem: 'cifar' as const } : {}) };
  const model = buildModel(spec, { seed: 1 });
  const graph = foldBatchNorm(extractGraph(model));
  model.dispose();
  const data = syntheticClassification({ numClasses: 10, height: SIZE, width: SIZE, channels: 3, train: BATCH, test: BATCH, noise: 0.3, seed: 1 });
  const idx = Array.from({ length: BATCH }, (_, i) => i);
  const x = nchwBatch(data.test, [SIZE, SIZE, 3], idx);
  const ortOpts = { backend: 'cpu' as const, threads: THREADS };
  const { lambdas } = await calibrate(graph, [{ x: nchwBatch(data.train, [SIZE, SIZE, 3], idx), batch: BATCH }], { percentile: 0.99, channelWise: false }, ortOpts);
  const plan = planSnn(graph, lambdas, { gamma: 5, reset: 'subtract', vInit: 0, maxPool: 'lipool', collectStats: true });
  const ann = await AnnRunner.create(graph, ortOpts);
  // The engine's own choice of steps per call unless BENCH_K says otherwise.
  const K = K_ENV !== undefined ? Number(K_ENV) : chooseStepsPerCall(T, annMacs(graph) * BATCH);
  ks[arch] = K;
  const snn = await SpikingNetwork.create(plan, { ...ortOpts, stepsPerCall: K });
  const mdir = path.join(dir, arch);
  const xFile = path.join(dir, `${arch}.x.bin`);
  writeFileSync(xFile, new Uint8Array(x.buffer));
  if (torch !== null) {
    rmSync(mdir, { recursive: true, force: true });
    mkdirSync(mdir);
    writeSnnSpec(plan, mdir);
    await torch.ask({ cmd: 'load', name: arch, dir: mdir });
  }

  let counted = 0;
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const clock = (): number => (CLOCK === 'cpu' ? cpuNow() * 1000 : performance.now());
  const ortRun = async (): Promise<{ seconds: number; cpuSeconds: number; stepSeconds: number; acc: Float32Array; spikes: number }> => {
    const c0 = cpuNow();
    const t0 = clock();
    await snn.reset(x, BATCH);
    const t1 = clock();
    let acc: Float32Array = new Float32Array(0);
    while (snn.t < T) acc = (await snn.run(Math.min(K, T - snn.t))).at(-1) as Float32Array;
    const t2 = clock();
    // Spike totals of every population (counters and derived totals) belong to the work.
    let all = 0;
    for (const p of snn.populations) for (const v of (await snn.spikeTotals(p)) ?? []) all += v;
    const t3 = clock();
    const spikes = all - counted;
    counted = all;
    return { seconds: (t3 - t0) / 1000, cpuSeconds: cpuNow() - c0, stepSeconds: (t2 - t1) / 1000, acc, spikes };
  };
  const torchRun = async (): Promise<{ seconds: number; cpuSeconds: number; acc: Float32Array; spikes: number }> => {
    const out = path.join(dir, `${arch}.acc.bin`);
    const r = await (torch as Torch).ask({ cmd: 'run', name: arch, x: xFile, batch: BATCH, steps: T, out });
    const buf = readFileSync(out);
    const spikes = Object.values(r['spikes'] as Record<string, number>).reduce((a, b) => a + b, 0);
    return { seconds: (CLOCK === 'cpu' ? r['cpuSeconds'] : r['seconds']) as number, cpuSeconds: r['cpuSeconds'] as number, acc: new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4), spikes };
  };
  /** ANN forwards back to back: total ms. */
  const annRun = async (times: number): Promise<number> => {
    const t0 = clock();
    for (let i = 0; i < times; i++) await ann.run(x, BATCH);
    return clock() - t0;
  };

  // Warm-up: session set-up, memory growth, PyTorch's first-call costs. Two SNN batches, like the
  // two ANN forwards: the process's memory grows through the first two calls of a session (ONNX
  // Runtime's arena, and the new ArrayBuffers onnxruntime-node copies every fetched output into;
  // VGG-11 ×0.5, batch 64, K = 32: about 38 000 and 30 000 page faults, 150 and 120 MB, against
  // 0–6 700 in each later call), a one-off cost of the session like its creation.
  await annRun(2);
  await ortRun();
  await ortRun();
  if (torch !== null) await torch.ask({ cmd: 'run', name: arch, x: xFile, batch: BATCH, steps: 2, out: path.join(dir, 'warm.bin') });

  const annMs: number[] = [];
  const stepMs: number[] = [];
  const stepRatios: number[] = [];
  const batchStepRatios: number[] = [];
  const ortRates: number[] = [];
  const torchRates: number[] = [];
  const ortCpuRates: number[] = [];
  const torchCpuRates: number[] = [];
  let agreement = 'PyTorch not run';
  for (let r = 0; r < REPS; r++) {
    // A-B-A: T ANN forwards in two halves around the SNN run (as long as its T steps).
    const before = await annRun(T >> 1);
    const o = await ortRun();
    const a = (before + (await annRun(T - (T >> 1)))) / T;
    annMs.push(a);
    ortRates.push((BATCH * T) / o.seconds);
    ortCpuRates.push((BATCH * T) / o.cpuSeconds);
    stepMs.push((o.stepSeconds * 1000) / T);
    stepRatios.push((o.stepSeconds * 1000) / T / a);
    batchStepRatios.push((o.seconds * 1000) / T / a);
    if (torch !== null) {
      const p = await torchRun();
      torchRates.push((BATCH * T) / p.seconds);
      torchCpuRates.push((BATCH * T) / p.cpuSeconds);
      agreement = `${compare(o.acc, p.acc)}, spikes ${o.spikes} vs ${p.spikes}`;
    }
  }
  await snn.release();
  await ann.release();
  return { name: `${arch} ×${WIDTH}`, macs: annMacs(graph), populations: plan.populations.length, annMs: median(annMs), stepMs: median(stepMs), stepRatio: median(stepRatios), batchStepRatio: median(batchStepRatios), ortRates, torchRates, ortCpuRates, torchCpuRates, agreement };
}

/** How close the two SNNs' accumulated outputs at step T are: same argmax count and max |Δ|. */
function compare(a: Float32Array, b: Float32Array): string {
  let same = 0;
  let diff = 0;
  const classes = a.length / BATCH;
  for (let n = 0; n < BATCH; n++) {
    const row = (v: Float32Array): number[] => Array.from(v.subarray(n * classes, (n + 1) * classes));
    const ra = row(a);
    const rb = row(b);
    if (ra.indexOf(Math.max(...ra)) === rb.indexOf(Math.max(...rb))) same++;
  }
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
  return `same argmax on ${same}/${BATCH}, max |Δ acc| ${diff.toPrecision(3)}`;
}

async function main(): Promise<void> {
  await initBackend('cpu'); // tfjs only builds the zoo models here
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spikelab-bench-'));
  const { torch, info } = await Torch.start();
  try {
    // each CPU's own speed before the runs (bench/cpu-probe.ts): with 2 threads every parallel op waits for the slower one
    const probe = await probeCpus();
    const results: ModelResult[] = [];
    for (const m of MODELS) results.push(await benchModel(m, torch, dir));
    const rows: [string, string][] = [
      ['CPU speed before the runs', describeProbe(probe)],
      ['engine', `onnxruntime-node, cpu provider, ${THREADS} intra-op threads, steps per call ${Object.entries(ks).map(([k, v]) => `${k} ${v}`).join(', ')}`],
      ['reference', info],
      ['work', `width ×${WIDTH}, batch ${BATCH}, T = ${T}, Γ = 5, reset by subtraction, LIPool, spike counts of every population; ${REPS} alternating runs`],
      ['clock', CLOCK === 'cpu' ? 'process CPU time (one thread per process: robust to other load on the machine)' : 'wall clock'],
    ];
    const imageStepsPerS: Record<string, number> = {};
    const torchImageStepsPerS: Record<string, number> = {};
    const ratios: number[] = [];
    const stepRatios: Record<string, number> = {};
    const batchStepRatios: Record<string, number> = {};
    for (const r of results) {
      const key = r.name.split(' ')[0] as string;
      imageStepsPerS[key] = round(median(r.ortRates));
      stepRatios[key] = round(r.stepRatio, 3);
      batchStepRatios[key] = round(r.batchStepRatio, 3);
      rows.push([`${r.name}`, `${(r.macs / 1e6).toFixed(1)} M MACs/image, ${r.populations} populations`]);
      rows.push([`  ANN forward (ORT)`, `${r.annMs.toFixed(1)} ms / batch (T forwards back to back, half before and half after each SNN run)`]);
      rows.push([`  SNN step (ORT)`, `${r.stepMs.toFixed(1)} ms / batch  → step/forward ${stepRatios[key]}; with the per-batch reset and spike totals ${batchStepRatios[key]}`]);
      rows.push([`  SNN image-steps/s (ORT)`, `${r.ortRates.map((v) => v.toFixed(0)).join(', ')}  (per CPU-second: ${r.ortCpuRates.map((v) => v.toFixed(0)).join(', ')})`]);
      if (r.torchRates.length > 0) {
        torchImageStepsPerS[key] = round(median(r.torchRates));
        const ratio = median(r.ortRates.map((v, i) => v / (r.torchRates[i] as number)));
        ratios.push(ratio);
        rows.push([`  SNN image-steps/s (PyTorch)`, `${r.torchRates.map((v) => v.toFixed(0)).join(', ')}  (per CPU-second: ${r.torchCpuRates.map((v) => v.toFixed(0)).join(', ')})`]);
        rows.push([`  ORT / PyTorch (median of pairs)`, `${ratio.toFixed(3)}  (${r.agreement})`]);
      }
    }
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    console.log(
      JSON.stringify({
        imageStepsPerS,
        torchImageStepsPerS: torch === null ? null : torchImageStepsPerS,
        vsTorch: ratios.length === MODELS.length ? round(Math.min(...ratios), 3) : null,
        stepToForwardRatio: Math.max(...Object.values(stepRatios)),
        stepToForwardRatios: stepRatios,
        stepWithBatchCostsToForwardRatios: batchStepRatios,
        width: WIDTH,
        batch: BATCH,
        timeSteps: T,
        stepsPerCall: ks,
        threads: THREADS,
        clock: CLOCK,
        torch: info,
        cpuProbeMs: probe?.ms.map((v) => round(v, 3)) ?? null,
      }),
    );
  } finally {
    torch?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
