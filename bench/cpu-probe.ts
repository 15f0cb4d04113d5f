// How fast each CPU of this machine computes, measured the same way on each: one small ONNX
// Runtime workload (three 3×3 convolutions with ReLU, one intra-op thread, like a worker's compute
// thread) pinned to one CPU at a time with `taskset`, in CPU time per run. On a shared virtual
// machine the CPUs need not be equal (measured here: one ran a worker's own simulation 27–46 %
// slower than the other, pinned alone, hour after hour), and what two workers can reach against
// one depends on it: with CPU times a ≤ b per unit of work, two workers make at most 1 + a/b times
// the work of one on the faster CPU. The benchmarks print it beside their figures.
//   node dist/bench/cpu-probe.js           the table and a JSON line
//   node dist/bench/cpu-probe.js --child   one probe in this process (what the parent runs pinned)
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { OnnxGraph } from '../src/engine/ort/proto.js';
import { ort } from '../src/engine/ort/session.js';
import { median } from './stats.js';

const BATCH = 16;
const CHANNELS = 32;
const SIZE = 16;

/** The probe in this process: median CPU milliseconds per run of the workload. */
async function probeHere(): Promise<number> {
  const g = new OnnxGraph('cpu_probe');
  let x = g.input('x', [BATCH, CHANNELS, SIZE, SIZE]);
  let seed = 1;
  const weights = (): Float32Array => Float32Array.from({ length: CHANNELS * CHANNELS * 9 }, () => ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 0.2);
  for (let i = 0; i < 3; i++) {
    const w = g.constant(weights(), [CHANNELS, CHANNELS, 3, 3], `w${i}`);
    x = g.op('Relu', [g.op('Conv', [x, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]);
  }
  g.output(x, 'y', [BATCH, CHANNELS, SIZE, SIZE]);
  const session = await ort.InferenceSession.create(g.encode(), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', logSeverityLevel: 3 });
  const input = { x: new ort.Tensor('float32', new Float32Array(BATCH * CHANNELS * SIZE * SIZE).fill(0.5), [BATCH, CHANNELS, SIZE, SIZE]) };
  for (let i = 0; i < 20; i++) await session.run(input);
  const perRun: number[] = [];
  for (let block = 0; block < 9; block++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 20; i++) await session.run(input);
    const c = process.cpuUsage(c0);
    perRun.push((c.user + c.system) / 1000 / 20);
  }
  await session.release();
  return median(perRun);
}

export interface CpuProbe {
  /** CPU ms per run of the workload, per CPU (index = CPU number): the median of its passes. */
  readonly ms: number[];
  /** Slowest / fastest. */
  readonly spread: number;
  /** 1 + fastest / slowest: what two single-threaded workers can make at most against one on the fastest CPU. */
  readonly twoWorkerCeiling: number;
}

/**
 * Probes every CPU in turn, `passes` times alternating (pinned with taskset; nothing else of the
 * benchmark runs meanwhile), and keeps each CPU's median. Null when taskset is missing or a probe
 * fails: the benchmark goes on without it.
 */
export async function probeCpus(passes = 3): Promise<CpuProbe | null> {
  const samples: number[][] = cpus().map(() => []);
  for (let pass = 0; pass < passes; pass++) {
    for (let cpu = 0; cpu < samples.length; cpu++) {
      const v = await probeOn(cpu);
      if (v === null) return null;
      samples[cpu]!.push(v);
    }
  }
  const ms = samples.map((s) => median(s));
  const fast = Math.min(...ms);
  const slow = Math.max(...ms);
  return { ms, spread: slow / fast, twoWorkerCeiling: 1 + fast / slow };
}

/** One probe pinned to `cpu`: its CPU ms per run, or null. */
async function probeOn(cpu: number): Promise<number | null> {
  const out = await new Promise<string | null>((resolve) => {
    const child = spawn('taskset', ['-c', String(cpu), process.execPath, fileURLToPath(import.meta.url), '--child'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += String(d)));
    child.once('error', () => resolve(null));
    child.once('exit', (code) => resolve(code === 0 ? text : null));
  });
  const v = out === null ? NaN : Number(out.trim());
  return Number.isFinite(v) && v > 0 ? v : null;
}

/** One line for a benchmark's table. */
export function describeProbe(p: CpuProbe | null): string {
  if (p === null) return 'not measured (taskset missing or the probe failed)';
  return `${p.ms.map((v, i) => `cpu${i} ${v.toFixed(2)}`).join(', ')} ms per run (slowest / fastest ${p.spread.toFixed(2)}; 2 workers at most ${p.twoWorkerCeiling.toFixed(2)}× of 1)`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--child')) {
    probeHere().then(
      (ms) => {
        process.stdout.write(`${ms}\n`);
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  } else {
    probeCpus().then(
      (p) => {
        console.log(`CPU speed (pinned probe)  ${describeProbe(p)}`);
        console.log(JSON.stringify(p));
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  }
}
