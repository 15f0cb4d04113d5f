// Engine benchmark: ANN forward vs one SNN time step on a VGG from the model zoo.
// `npm run bench:engine`. Prints a table, then (last line) one JSON object for the acceptance check.
import * as tf from '@tensorflow/tfjs-core';
import { syntheticClassification } from '../src/data/synthetic.js';
import { initBackend } from '../src/engine/backend/index.js';
import { AnnExecutor, buildSnn, calibrate, extractGraph, foldBatchNorm, annMacs } from '../src/engine/index.js';
import { buildModel } from '../src/engine/zoo/index.js';
import type { Architecture } from '../src/formats/model.js';

const ARCH = (process.env['BENCH_ARCH'] ?? 'vgg11') as Architecture;
const WIDTH = Number(process.env['BENCH_WIDTH'] ?? 1);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 32);
const REPS = Number(process.env['BENCH_REPS'] ?? 7);
const SIZE = 32;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * The clock. On a single-threaded CPU backend (wasm without threads, cpu) the process's CPU time
 * is the compute time and stays meaningful when other processes share the cores; on a GPU or
 * multi-threaded backend only wall time is.
 */
let useCpuClock = false;
function now(): number {
  if (!useCpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Time of fn in ms; the result's first element is read so that async backends finish. */
function timed(fn: () => tf.Tensor | null): { ms: number; wallMs: number } {
  const t0 = now();
  const w0 = performance.now();
  const y = fn();
  if (y !== null) {
    tf.tidy(() => tf.slice(tf.reshape(y, [-1]), 0, 1).dataSync());
    y.dispose();
  }
  return { ms: now() - t0, wallMs: performance.now() - w0 };
}

async function main(): Promise<void> {
  const info = await initBackend('auto');
  const backend = tf.getBackend();
  useCpuClock = (backend === 'wasm' || backend === 'cpu') && (info.threads ?? 1) <= 1;
  const spec = { architecture: ARCH, inputShape: [SIZE, SIZE, 3] as [number, number, number], numClasses: 10, widthMultiplier: WIDTH };
  const model = buildModel(spec, { seed: 1 });
  const data = syntheticClassification({ numClasses: 10, height: SIZE, width: SIZE, channels: 3, train: BATCH, test: BATCH, noise: 0.3, seed: 1 });
  const x = tf.tensor(data.test.images, [BATCH, SIZE, SIZE, 3]);
  const calX = tf.tensor(data.train.images, [BATCH, SIZE, SIZE, 3]);

  const graph = foldBatchNorm(extractGraph(model));
  const macs = annMacs(graph);
  const ann = new AnnExecutor(graph);
  const { lambdas } = calibrate(graph, [calX], { percentile: 0.99, channelWise: false });
  const snn = buildSnn(graph, lambdas, { gamma: 5, reset: 'subtract', vInit: 0, maxPool: 'lipool' });

  // Warm-up (kernel set-up, memory growth), then interleaved repetitions so that load from other
  // processes on the machine hits both measurements alike.
  timed(() => ann.forward(x));
  timed(() => model.predict(x) as tf.Tensor);
  const tReset = timed(() => {
    snn.reset(x);
    return null;
  });
  for (let i = 0; i < 3; i++) snn.step();
  const annMs: number[] = [];
  const annWall: number[] = [];
  const stepMs: number[] = [];
  const stepWall: number[] = [];
  const forward = (): void => {
    const a = timed(() => ann.forward(x));
    annMs.push(a.ms);
    annWall.push(a.wallMs);
  };
  const step = (): void => {
    const s = timed(() => {
      snn.step();
      return null;
    });
    stepMs.push(s.ms);
    stepWall.push(s.wallMs);
  };
  // A-B-B-A per repetition cancels slow drifts of the machine's load.
  for (let r = 0; r < REPS; r++) {
    forward();
    step();
    step();
    forward();
  }
  const layersMs = [0, 1, 2].map(() => timed(() => model.predict(x) as tf.Tensor).ms);
  // Sync once so async backends have finished the timed steps (a no-op for wasm/cpu).
  const out = snn.output();
  out.dataSync();
  out.dispose();

  const fwd = median(annMs);
  const stepT = median(stepMs);
  const result = {
    model: `${ARCH}×${WIDTH}`,
    batch: BATCH,
    annImagesPerS: round((BATCH * 1000) / fwd),
    snnImageStepsPerS: round((BATCH * 1000) / stepT),
    stepToForwardRatio: round(stepT / fwd, 3),
    peakRssMb: round(process.resourceUsage().maxRSS / 1024),
    backend,
    clock: useCpuClock ? 'process-cpu' : 'wall',
  };
  const rows: [string, string][] = [
    ['backend', `${backend} (threads: ${String(info.threads)})`],
    ['model', `${ARCH} width ×${WIDTH}, input ${SIZE}×${SIZE}×3, batch ${BATCH}, ${(macs / 1e6).toFixed(1)} M MACs/image`],
    ['sites / populations', `${snn.populations.length}`],
    ['clock', useCpuClock ? 'process CPU time (single-threaded backend on a shared machine)' : 'wall'],
    ['ANN forward (folded graph, fused conv+bias+ReLU)', `${fwd.toFixed(1)} ms  (median of ${annMs.length}; wall ${median(annWall).toFixed(1)} ms)`],
    ['ANN forward (tfjs-layers model.predict)', `${median(layersMs).toFixed(1)} ms  (median of ${layersMs.length})`],
    ['SNN reset (state + first layer, once per batch)', `${tReset.ms.toFixed(1)} ms`],
    ['SNN step (all layers, neurons, LIPool, counters)', `${stepT.toFixed(1)} ms  (median of ${stepMs.length}; wall ${median(stepWall).toFixed(1)} ms)`],
    ['step / forward, wall clock', `${(median(stepWall) / median(annWall)).toFixed(3)}`],
    ['ANN images/s', `${result.annImagesPerS}`],
    ['SNN image-steps/s', `${result.snnImageStepsPerS}`],
    ['step / forward', `${result.stepToForwardRatio}`],
    ['peak RSS', `${result.peakRssMb} MB`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);

  snn.dispose();
  ann.dispose();
  x.dispose();
  calX.dispose();
  model.dispose();
  console.log(JSON.stringify(result));
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
