// Hybrid heads: a CLIP-style ModifiedResNet whose attention pooling (MatMul of two computed tensors,
// Softmax over tokens, ReduceMean, computed Reshapes, …) no spiking neuron computes. The importer
// keeps the spiking body op by op and the head as one analog node; the SNN evaluates the head each
// step on the running mean of the last site. The fixtures and PyTorch's outputs come from
// test/fixtures/onnx/make_clip_fixture.py.
import type { Split } from '../../../src/data/types.js';
import { convertAndSimulate, exportSnn, planSnn, SpikingNetwork, type SnnContract } from '../../../src/engine/conversion/index.js';
import { calibrateFor, prepare } from '../../../src/engine/conversion/pipeline.js';
import { DEFAULT_CONVERSION_CONFIG } from '../../../src/formats/conversion.js';
import { OnnxUnsupportedError, importOnnx } from '../../../src/engine/onnx/index.js';
import { runAnn } from '../../../src/engine/ort/ann-runner.js';
import * as ort from 'onnxruntime-node';
import { sites } from '../../../src/engine/ir/graph.js';
import { maxAbsDiff } from '../engine/helpers.js';
import { fixture } from './fixtures.js';

const clip = fixture('clip_rn_attnpool');
const CLASSES = 10;

/** Seeded N(0, 1) images (Box–Muller over a small LCG), NCHW. */
function gaussian(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

/** NCHW → the data sets' NHWC layout. */
function toHwc(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let i = 0; i < h * w; i++) out[(b * h * w + i) * c + k] = x[(b * c + k) * h * w + i] as number;
  return out;
}

function argmax(v: Float32Array, off: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if ((v[off + j] as number) > (v[off + best] as number)) best = j;
  return best;
}

describe('hybrid import: analog head after the last ReLU only', () => {
  it('clip_rn_attnpool: the attention pool becomes one analog head; the body keeps every ReLU site', () => {
    const r = importOnnx(clip.bytes);
    expect(r.hybrid).not.toBeNull();
    expect(r.hybrid?.analogOps).toEqual(expect.arrayContaining(['MatMul', 'Softmax', 'ReduceMean', 'Reshape', 'Transpose', 'Gemm']));
    const out = r.graph.nodes.find((n) => n.id === r.graph.output);
    expect(out?.op.kind).toBe('analog');
    expect(r.graph.nodes.filter((n) => n.op.kind === 'analog')).toHaveLength(1);
    expect(sites(r.graph)).toHaveLength((clip as unknown as { reluSites: number }).reluSites);
    expect(out?.inputs).toEqual([r.hybrid?.site]);
    expect(r.outputShape).toEqual([CLASSES]);
    expect(r.task).toBe('classification');
  });

  it('the imported ANN (body op by op + analog head) equals PyTorch within 1e-4', async () => {
    const r = importOnnx(clip.bytes);
    const y = await runAnn(r.graph, clip.input.data, clip.input.shape[0] as number, { backend: 'cpu', threads: 1 });
    expect(y.length).toBe(clip.output.data.length);
    expect(maxAbsDiff(y, clip.output.data)).toBeLessThanOrEqual(1e-4);
  });

  it('the same attention pool inside the spiking body (a ReLU after it) is refused, naming an attention node', () => {
    const f = fixture('clip_attn_in_body');
    let err: unknown;
    try {
      importOnnx(f.bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OnnxUnsupportedError);
    expect((err as OnnxUnsupportedError).node).toMatch(/^\/attnpool\//);
  });

});

describe('hybrid export: the SNN file holds the analog head', () => {
  it('run outside the engine, the exported file gives the engine\'s per-step outputs bit for bit (calls of 5, 5, 2 steps in the engine)', async () => {
    const N = 8;
    const [C, H, W] = [3, 64, 64];
    const T = 12;
    const K = 5;
    const r = importOnnx(clip.bytes);
    const x = gaussian(N * C * H * W, 21);
    const split: Split = { images: toHwc(x, N, C, H, W), labels: new Float32Array(N), count: N };
    const data = { calibration: { ...split, images: toHwc(gaussian(N * C * H * W, 23), N, C, H, W) }, test: split, task: 'classification' as const, numClasses: CLASSES };
    const cfg = { ...DEFAULT_CONVERSION_CONFIG, timeSteps: T, batchSize: N, calibrationBatches: 1 };
    const p = prepare(r.graph, data, { backend: 'cpu', threads: 1 });
    const { cal } = await calibrateFor(p, cfg);
    const input = p.batchOf(split, Array.from({ length: N }, (_, i) => i));
    const plan = planSnn(p.graph, cal.lambdas, { gamma: cfg.gamma, reset: cfg.reset, vInit: cfg.vInit, maxPool: cfg.maxPool, collectStats: false });
    const snn = await SpikingNetwork.create(plan, { backend: 'cpu', threads: 1, stepsPerCall: K, head: p.head });
    const engine: Float32Array[] = [];
    try {
      await snn.reset(input, N);
      while (snn.t < T) engine.push(...(await snn.run(Math.min(K, T - snn.t))));
    } finally {
      await snn.release();
    }

    const lambdas = Object.fromEntries([...cal.lambdas].map(([id, v]) => [id, Array.from(v)]));
    const exported = exportSnn(r.graph, lambdas, cfg, { stepsPerCall: K });
    const { bytes } = exported;
    const contract = exported.contract as SnnContract;
    expect(contract.output.shape).toEqual([CLASSES]);
    expect(contract.output.meaning).toMatch(/analog head/);
    expect(contract.states.at(-1)).toMatchObject({ name: 'state:head:t', shape: [1], init: 0 });
    // plain onnxruntime-node, default session options, driven by the contract alone
    const session = await ort.InferenceSession.create(bytes);
    const file: Float32Array[] = [];
    try {
      const feeds: Record<string, ort.Tensor> = { input: new ort.Tensor('float32', input, [N, C, H, W]) };
      for (const st of contract.states) {
        const per = st.shape.reduce((a, b) => a * b, 1);
        const v = new Float32Array(N * per);
        if (typeof st.init === 'number') v.fill(st.init);
        else for (let i = 0; i < v.length; i++) v[i] = st.init[Math.floor((i % per) / (per / st.init.length))] as number;
        feeds[st.name] = new ort.Tensor('float32', v, [N, ...st.shape]);
      }
      while (file.length < T) {
        const out = await session.run(feeds);
        for (const st of contract.states) feeds[st.name] = out[st.name.replace(/^state:/, 'next:')] as ort.Tensor;
        for (let k = 1; k <= K; k++) file.push((out[`output:${k}`] as ort.Tensor).data as Float32Array);
      }
    } finally {
      await session.release();
    }
    expect(engine).toHaveLength(T);
    for (let t = 0; t < T; t++) expect({ t: t + 1, diff: maxAbsDiff(file[t] as Float32Array, engine[t] as Float32Array) }).toEqual({ t: t + 1, diff: 0 });
    // not a constant: the head's output moves with t (t·y_t grows)
    expect(maxAbsDiff(engine[T - 1] as Float32Array, engine[0] as Float32Array)).toBeGreaterThan(0);
  }, 120_000);
});

describe('hybrid SNN: the analog head on the running mean converges to the ANN', () => {
  const N = 16;
  const [C, H, W] = [3, 64, 64];
  const testX = gaussian(N * C * H * W, 7);
  const calX = gaussian(N * C * H * W, 11);

  it('mean |SNN − ANN| of the head output at T = 256 is far below T = 8; argmax agreement rises', async () => {
    const r = importOnnx(clip.bytes);
    const ann = await runAnn(r.graph, testX, N, { backend: 'cpu', threads: 1 });
    const labels = Float32Array.from({ length: N }, (_, b) => argmax(ann, b * CLASSES, CLASSES));
    const calibration: Split = { images: toHwc(calX, N, C, H, W), labels: new Float32Array(N), count: N };
    const test: Split = { images: toHwc(testX, N, C, H, W), labels, count: N };
    const data = { calibration, test, task: 'classification' as const, numClasses: CLASSES };
    const cfg = { ...DEFAULT_CONVERSION_CONFIG, timeSteps: 256, batchSize: N, calibrationBatches: 1 };

    // the per-step head outputs themselves, through the engine's own stages
    const p = prepare(r.graph, data, { backend: 'cpu', threads: 1 });
    expect(p.head).not.toBeNull();
    const { cal } = await calibrateFor(p, cfg);
    const plan = planSnn(p.graph, cal.lambdas, { gamma: cfg.gamma, reset: cfg.reset, vInit: cfg.vInit, maxPool: cfg.maxPool, collectStats: false });
    const snn = await SpikingNetwork.create(plan, { backend: 'cpu', threads: 1, stepsPerCall: 32, head: p.head });
    const err = new Map<number, number>();
    const agree = new Map<number, number>();
    try {
      await snn.reset(p.batchOf(test, Array.from({ length: N }, (_, i) => i)), N);
      while (snn.t < 256) {
        const outs = await snn.run(32);
        outs.forEach((acc, i) => {
          const t = snn.t - outs.length + i + 1;
          if (t !== 8 && t !== 64 && t !== 256) return;
          let e = 0;
          let a = 0;
          for (let j = 0; j < acc.length; j++) e += Math.abs((acc[j] as number) / t - (ann[j] as number));
          for (let b = 0; b < N; b++) a += argmax(acc, b * CLASSES, CLASSES) === labels[b] ? 1 : 0;
          err.set(t, e / acc.length);
          agree.set(t, a / N);
        });
      }
    } finally {
      await snn.release();
    }
    const [e8, e64, e256] = [8, 64, 256].map((t) => err.get(t) ?? NaN) as [number, number, number];
    process.stdout.write(`hybrid CLIP-style RN: mean |SNN − ANN| T=8 ${e8.toFixed(4)}, T=64 ${e64.toFixed(4)}, T=256 ${e256.toFixed(4)}; argmax agreement ${agree.get(8)}, ${agree.get(64)}, ${agree.get(256)}\n`);
    expect(e64).toBeLessThan(e8);
    expect(e256).toBeLessThan(0.25 * e8);
    expect(agree.get(256) as number).toBeGreaterThan(agree.get(8) as number);
    expect(agree.get(256) as number).toBeGreaterThanOrEqual(0.75);

    // the whole conversion: the run is marked hybrid and names the analog ops; accuracy = agreement with the ANN
    const res = await convertAndSimulate(r.graph, data, { timeSteps: 256, batchSize: N, calibrationBatches: 1 }, { backend: 'cpu', threads: 1 });
    expect(res.hybrid?.analogOps).toEqual(r.hybrid?.analogOps);
    expect(res.hybrid?.site).toBe(r.hybrid?.site);
    expect(res.annMetrics.accuracy).toBe(1);
    const acc = res.stepMetrics.accuracy as number[];
    expect(acc).toHaveLength(256);
    expect(acc[255]).toBeCloseTo(agree.get(256) as number, 10);
    expect(res.layerStats.filter((s) => s.kind === 'if')).toHaveLength(sites(r.graph).length);
    expect(res.warnings.some((w) => w.startsWith('hybrid:'))).toBe(true);
  }, 300_000);
});
