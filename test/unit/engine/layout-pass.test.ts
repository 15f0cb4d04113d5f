import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { calibrate, chooseStepsPerCall, emitStaticGraph, emitStepGraph, foldBatchNorm, initialState, planSnn, SNN_NAMES, SpikingNetwork } from '../../../src/engine/conversion/index.js';
import { depthwiseScale } from '../../../src/engine/conversion/emit-neurons.js';
import { extractGraph, nhwcToNchw } from '../../../src/engine/ir/index.js';
import { createBlockedSession, createSession, moveElementwiseIntoBlockedLayout, OnnxGraph, type OrtSession, type ResolvedBackend } from '../../../src/engine/ort/index.js';
import { randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

const cpu: ResolvedBackend = { backend: 'cpu', threads: 1, note: '' };

/** A residual block with a max-pool, 16–32 channels: every blocked path of the SNN step graph. */
function net(): tfl.LayersModel {
  const x = tfl.input({ shape: [8, 8, 3] });
  const a = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  const h = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(a) as tfl.SymbolicTensor;
  const r = tfl.layers.reLU().apply(tfl.layers.add().apply([tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(h) as tfl.SymbolicTensor, a])) as tfl.SymbolicTensor;
  const p = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(r) as tfl.SymbolicTensor;
  const c = tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(p) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 4 }).apply(tfl.layers.flatten().apply(c)) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}

describe('moving element-wise ops into ONNX Runtime\'s blocked layout', () => {
  it('the SNN step graph gives bit-identical outputs and states, with fewer reorders', async () => {
    const model = net();
    seedWeights(model, 2);
    const g = foldBatchNorm(extractGraph(model));
    const n = 5;
    const x = nhwcToNchw(randomArray(n * 8 * 8 * 3, rng(3)), n, 8, 8, 3);
    const { lambdas } = await calibrate(g, [{ x, batch: n }], { percentile: 0.99, channelWise: false }, cpu);
    const plan = planSnn(g, lambdas, { gamma: 5, reset: 'subtract', vInit: 0.3, maxPool: 'lipool' });
    const statics = await (await createSession(emitStaticGraph(plan), cpu)).run({ input: new ort.Tensor('float32', x, [n, 3, 8, 8]) });
    const bytes = emitStepGraph(plan, 4);
    const run = async (s: OrtSession): Promise<Record<string, Float32Array>> => {
      const feeds: Record<string, ort.Tensor> = {};
      for (const id of plan.staticOutputs) feeds[SNN_NAMES.static(id)] = statics[SNN_NAMES.static(id)]!;
      for (const st of plan.states) feeds[SNN_NAMES.state(st.name)] = new ort.Tensor('float32', initialState(st, n), [n, ...st.shape]);
      const all: Record<string, Float32Array> = {};
      for (let call = 0; call < 3; call++) {
        const out = await s.run(feeds);
        for (const st of plan.states) feeds[SNN_NAMES.state(st.name)] = out[SNN_NAMES.next(st.name)]!;
        for (const [k, v] of Object.entries(out)) all[`${call}:${k}`] = v.data as Float32Array;
      }
      return all;
    };
    const plain = await run(await createSession(bytes, cpu));
    const blocked = await run(await createBlockedSession(bytes, cpu));
    expect(Object.keys(blocked)).toEqual(Object.keys(plain));
    for (const k of Object.keys(plain)) expect(blocked[k]).toEqual(plain[k]);
    // What the pass did to ORT's own optimised model.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spikelab-layout-'));
    const file = path.join(dir, 'opt.onnx');
    await (await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, optimizedModelFilePath: file, logSeverityLevel: 3 })).release();
    const optimized = readFileSync(file);
    rmSync(dir, { recursive: true, force: true });
    const { bytes: rewritten, report } = moveElementwiseIntoBlockedLayout(optimized);
    const count = (b: Uint8Array, op: string): number => onnxProto.onnx.ModelProto.decode(b).graph?.node?.filter((q) => q.opType === op).length ?? 0;
    expect(report.moved).toBeGreaterThan(0);
    expect(count(rewritten, 'ReorderOutput') + count(rewritten, 'ReorderInput')).toBeLessThan((count(optimized, 'ReorderOutput') + count(optimized, 'ReorderInput')) / 2);
    model.dispose();
  });

  it('per-step outputs do not depend on the steps per call (so an export with another K reproduces a run)', async () => {
    const model = net();
    seedWeights(model, 4);
    const g = foldBatchNorm(extractGraph(model));
    const n = 3;
    const x = nhwcToNchw(randomArray(n * 8 * 8 * 3, rng(7)), n, 8, 8, 3);
    const { lambdas } = await calibrate(g, [{ x, batch: n }], { percentile: 0.99, channelWise: true }, cpu);
    const plan = planSnn(g, lambdas, { gamma: 4, reset: 'subtract', vInit: 0, maxPool: 'lipool' });
    const steps = async (k: number): Promise<Float32Array[]> => {
      const snn = await SpikingNetwork.create(plan, { backend: 'cpu', threads: 1, stepsPerCall: k });
      await snn.reset(x, n);
      const out: Float32Array[] = [];
      while (snn.t < 12) out.push(...(await snn.run(Math.min(k, 12 - snn.t))));
      await snn.release();
      return out;
    };
    const a = await steps(12);
    const b = await steps(5);
    expect(b).toEqual(a);
    // K: as many steps as allowed, evened out over the calls.
    expect([chooseStepsPerCall(64, 1e6), chooseStepsPerCall(50, 1e6), chooseStepsPerCall(33, 1e6), chooseStepsPerCall(10, 1e6), chooseStepsPerCall(64, 4e11)]).toEqual([32, 25, 17, 10, 3]);
    model.dispose();
  });

  it('never moves an op that broadcasts a per-channel constant (its result depends on the layout)', async () => {
    const g = new OnnxGraph('t');
    const x = g.input('x', [2, 16, 4, 4]);
    const w = g.constant(randomArray(16 * 16 * 9, rng(5)), [16, 16, 3, 3]);
    const conv = g.op('Conv', [x, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    // Floor first and a Sub (ORT folds a Mul or Add by a constant into a convolution of its own).
    const shifted = g.op('Sub', [g.op('Floor', [conv]), g.constant(Float32Array.from({ length: 16 }, (_, i) => i / 3), [16, 1, 1])]);
    const y = g.op('Conv', [g.op('Clip', [shifted, g.scalar(0), g.scalar(3)]), w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    g.output(y, 'y', [2, 16, 4, 4]);
    const bytes = g.encode();
    const input = { x: new ort.Tensor('float32', randomArray(2 * 16 * 16, rng(6)), [2, 16, 4, 4]) };
    const a = await (await createSession(bytes, cpu)).run(input);
    const b = await (await createBlockedSession(bytes, cpu)).run(input);
    expect(b['y']!.data).toEqual(a['y']!.data);
  });

  it('writes a depthwise ±1 convolution with a Sum input as the Add or Sub it computes, bit-identically, and leaves other weights alone', async () => {
    const g = new OnnxGraph('t');
    const shape = [2, 16, 4, 4];
    const a = g.input('a', shape);
    const b = g.input('b', shape);
    const conv = (v: string, seed: number): string => g.op('Conv', [v, g.constant(randomArray(16 * 16 * 9, rng(seed)), [16, 16, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    const ca = conv(a, 8);
    const cb = conv(b, 9);
    // ORT fuses each Add into the depthwise convolution as its Sum input (the membrane update's shape).
    g.output(g.op('Add', [cb, depthwiseScale(g, ca, 'minus', new Float32Array(16).fill(-1))]), 'sub', shape);
    g.output(g.op('Add', [cb, depthwiseScale(g, ca, 'plus', new Float32Array(16).fill(1))]), 'add', shape);
    g.output(g.op('Add', [cb, depthwiseScale(g, ca, 'two', new Float32Array(16).fill(2))]), 'two', shape);
    const mixed = new Float32Array(16).fill(-1);
    mixed[5] = -2;
    g.output(g.op('Add', [cb, depthwiseScale(g, ca, 'mixed', mixed)]), 'mixed', shape);
    const bytes = g.encode();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spikelab-layout-'));
    const file = path.join(dir, 'opt.onnx');
    await (await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, optimizedModelFilePath: file, logSeverityLevel: 3 })).release();
    const optimized = readFileSync(file);
    rmSync(dir, { recursive: true, force: true });
    const { bytes: rewritten, report } = moveElementwiseIntoBlockedLayout(optimized);
    const ops = (m: Uint8Array): string[] => (onnxProto.onnx.ModelProto.decode(m).graph?.node ?? []).map((q) => q.opType ?? '');
    expect(report.simplified).toBe(2);
    expect(ops(rewritten).filter((o) => o === 'Sub')).toHaveLength(1);
    expect(ops(rewritten).filter((o) => o === 'Add')).toHaveLength(1);
    expect(ops(rewritten).filter((o) => o === 'Conv')).toHaveLength(ops(optimized).filter((o) => o === 'Conv').length - 2);
    const input = { a: new ort.Tensor('float32', randomArray(2 * 16 * 16, rng(10)), shape), b: new ort.Tensor('float32', randomArray(2 * 16 * 16, rng(11)), shape) };
    const plain = await (await createSession(bytes, cpu)).run(input);
    const blocked = await (await createBlockedSession(bytes, cpu)).run(input);
    for (const k of ['sub', 'add', 'two', 'mixed']) expect(blocked[k]!.data).toEqual(plain[k]!.data);
  });
});
