import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { extractGraph, nchwToNhwc, nhwcToNchw, type Graph } from '../../../src/engine/ir/index.js';
import { AnnRunner, emitAnn, runAnn } from '../../../src/engine/ort/index.js';
import { maxAbsDiff, randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

/** tfjs predict on NHWC vs the IR's ANN on ONNX Runtime (NCHW), outputs compared in NHWC. */
async function compare(model: tfl.LayersModel, n: number, seed: number, tol = 1e-4): Promise<Graph> {
  const inShape = model.inputs[0]!.shape.slice(1) as number[];
  const x = randomArray(n * inShape.reduce((a, b) => a * b, 1), rng(seed));
  const ref = tf.tidy(() => (model.predict(tf.tensor(x, [n, ...inShape])) as tf.Tensor).dataSync() as Float32Array);
  const graph = extractGraph(model);
  const xin = inShape.length === 3 ? nhwcToNchw(x, n, inShape[0]!, inShape[1]!, inShape[2]!) : x;
  const y = await runAnn(graph, xin, n, { backend: 'cpu', threads: 1 });
  const outShape = model.outputs[0]!.shape.slice(1) as number[];
  const yNhwc = outShape.length === 3 ? nchwToNhwc(y, n, outShape[2]!, outShape[0]!, outShape[1]!) : y;
  expect(maxAbsDiff(yNhwc, ref)).toBeLessThan(tol);
  return graph;
}

function bnNet(): tfl.LayersModel {
  const x = tfl.input({ shape: [8, 8, 3] });
  let h = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }).apply(x) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'bn1' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.reLU({ name: 'r1' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, useBias: false, name: 'c2' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'bn2', scale: false }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.activation({ activation: 'relu', name: 'a2' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2dTranspose({ filters: 5, kernelSize: 2, strides: 2, name: 'ct' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'bn3', center: false }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.maxPooling2d({ poolSize: 2, name: 'mp' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.flatten({ name: 'fl' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dropout({ rate: 0.5, name: 'do' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: 7, name: 'd1' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'bn4' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: 3, activation: 'relu', name: 'd2' }).apply(h) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 2, name: 'out' }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}

/** Every op the IR knows from tfjs: zero padding, strides, dilation, overlapping 'same' pools, average pools, upsampling, concat, conv-transpose 'same', GAP, flatten, sigmoid head. */
function everyOpNet(): tfl.LayersModel {
  const x = tfl.input({ shape: [9, 9, 2] });
  const pad = tfl.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]] }).apply(x) as tfl.SymbolicTensor; // 10×11
  const c1 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c1' }).apply(pad) as tfl.SymbolicTensor; // 5×6
  const c2 = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, name: 'c2' }).apply(c1) as tfl.SymbolicTensor;
  const r2 = tfl.layers.activation({ activation: 'relu', name: 'r2' }).apply(c2) as tfl.SymbolicTensor;
  const mp = tfl.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'mp' }).apply(r2) as tfl.SymbolicTensor;
  const ap = tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'ap' }).apply(mp) as tfl.SymbolicTensor; // 3×3
  const up = tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(ap) as tfl.SymbolicTensor; // 6×6
  const crop = tfl.layers.conv2d({ filters: 4, kernelSize: [2, 1], name: 'crop' }).apply(up) as tfl.SymbolicTensor; // 5×6
  const cat = tfl.layers.concatenate({ name: 'cat' }).apply([crop, c1]) as tfl.SymbolicTensor;
  const ct = tfl.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'ct' }).apply(cat) as tfl.SymbolicTensor;
  const ct2 = tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 2, padding: 'valid', name: 'ct2' }).apply(ct) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(ct2) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten({ name: 'fl' }).apply(ap) as tfl.SymbolicTensor;
  const d = tfl.layers.dense({ units: 4, name: 'out' }).apply(tfl.layers.concatenate({ name: 'cat2' }).apply([gap, flat])) as tfl.SymbolicTensor;
  const y = tfl.layers.activation({ activation: 'sigmoid', name: 'head' }).apply(d) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}

describe('IR v2 ANN on ONNX Runtime', () => {
  it('a conv / batch-norm / conv-transpose / dense net equals tfjs predict (unfolded BN)', async () => {
    const model = bnNet();
    seedWeights(model, 1);
    const g = await compare(model, 5, 2);
    expect(g.nodes.filter((n) => n.op.kind === 'batchNorm')).toHaveLength(4);
    expect(g.nodes.filter((n) => n.op.kind === 'relu').map((n) => n.id)).toEqual(['r1', 'a2', 'd2/relu']);
    // Flatten → dropout → dense: the flatten keeps tfjs' (h, w, c) order through a transpose.
    expect(g.nodes.find((n) => n.id === 'fl/hwc')!.op).toMatchObject({ kind: 'transpose', perm: [1, 2, 0] });
    expect(g.nodes.find((n) => n.id === 'c1')!.op).toMatchObject({ kind: 'conv', pads: [1, 1, 1, 1] });
    expect(g.nodes.find((n) => n.id === 'c2')!.op).toMatchObject({ kind: 'conv', pads: [0, 0, 0, 0], strides: [2, 2] });
    model.dispose();
  });

  it('a flatten read only by dense layers needs no transpose: the dense columns are permuted', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [5, 4, 2], filters: 3, kernelSize: 2, activation: 'relu', name: 'cv' }),
        tfl.layers.flatten({ name: 'fl' }),
        tfl.layers.dense({ units: 6, name: 'fc' }),
      ],
    });
    seedWeights(model, 8);
    const g = await compare(model, 4, 9);
    expect(g.nodes.map((n) => n.op.kind)).toEqual(['input', 'conv', 'relu', 'flatten', 'dense']);
    model.dispose();
  });

  it('every supported op, with asymmetric pads and a flatten read by a concat, equals tfjs predict', async () => {
    const model = everyOpNet();
    seedWeights(model, 3);
    const g = await compare(model, 6, 4);
    // 'same' 3×3/2 on 10×11 pads one extra row/column at the end; the average pool excludes padding.
    expect(g.nodes.find((n) => n.id === 'c1')!.op).toMatchObject({ pads: [0, 1, 1, 1] });
    expect(g.nodes.find((n) => n.id === 'ap')!.op).toMatchObject({ kind: 'avgPool', countIncludePad: false });
    // The flatten of 'ap' feeds a concat: it keeps tfjs' (h, w, c) order through a transpose.
    expect(g.nodes.find((n) => n.id === 'fl/hwc')!.op).toMatchObject({ kind: 'transpose', perm: [1, 2, 0] });
    expect(g.nodes.find((n) => n.id === 'cat')!.op).toMatchObject({ kind: 'concat', axis: 0 });
    model.dispose();
  });

  it('site outputs are the post-ReLU activations; a clip hook clips them', async () => {
    const model = bnNet();
    seedWeights(model, 5);
    const graph = extractGraph(model);
    const n = 3;
    const x = randomArray(n * 8 * 8 * 3, rng(6));
    const inner = tfl.model({ inputs: model.inputs, outputs: model.getLayer('r1').output });
    const ref = tf.tidy(() => (inner.predict(tf.tensor(x, [n, 8, 8, 3])) as tf.Tensor).dataSync() as Float32Array);
    const runner = await AnnRunner.create(graph, { backend: 'cpu', threads: 1, siteOutputs: true });
    const r = await runner.run(nhwcToNchw(x, n, 8, 8, 3), n);
    expect([...r.sites.keys()]).toEqual(['r1', 'a2', 'd2/relu']);
    expect(maxAbsDiff(nchwToNhwc(r.sites.get('r1')!, n, 4, 8, 8), ref)).toBeLessThan(1e-4);
    await runner.release();
    const clipped = await AnnRunner.create(graph, { backend: 'cpu', threads: 1, siteOutputs: true, clipSites: new Map([['r1', 0.25]]) });
    const rc = await clipped.run(nhwcToNchw(x, n, 8, 8, 3), n);
    expect(Math.max(...rc.sites.get('r1')!)).toBeCloseTo(0.25, 6);
    await clipped.release();
    await expect(runner.run(new Float32Array(5), 1)).rejects.toThrow();
    expect(emitAnn(graph).bytes.length).toBeGreaterThan(1000);
    model.dispose();
  });

  it('refuses a wrongly sized batch with a clear message', async () => {
    const model = bnNet();
    const runner = await AnnRunner.create(extractGraph(model), { backend: 'cpu', threads: 1 });
    await expect(runner.run(new Float32Array(10), 1)).rejects.toThrow(/holds 10 values, expected 1 × \[3, 8, 8\]/);
    await runner.release();
    model.dispose();
  });
});
