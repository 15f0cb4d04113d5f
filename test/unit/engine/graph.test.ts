import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { annMacs, foldBatchNorm } from '../../../src/engine/conversion/index.js';
import { BatchNormFoldError, UnsupportedLayerError } from '../../../src/engine/errors.js';
import { extractGraph, nhwcToNchw } from '../../../src/engine/ir/index.js';
import { runAnn } from '../../../src/engine/ort/index.js';
import { maxAbsDiff, randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

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
  h = tfl.layers.dense({ units: 7, name: 'd1' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'bn4' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: 3, activation: 'relu', name: 'd2' }).apply(h) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 2, name: 'out' }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}

describe('extractGraph + foldBatchNorm (IR v2)', () => {
  it('folded and unfolded networks agree with the tfjs model to 1e-4 (conv, dense and conv-transpose BN)', async () => {
    const model = bnNet();
    seedWeights(model, 1);
    const before = tf.memory().numTensors;
    const graph = extractGraph(model);
    const folded = foldBatchNorm(graph);
    expect(graph.nodes.filter((n) => n.op.kind === 'batchNorm')).toHaveLength(4);
    expect(folded.nodes.filter((n) => n.op.kind === 'batchNorm')).toHaveLength(0);
    expect(folded.nodes.filter((n) => n.op.kind === 'relu').map((n) => n.id)).toEqual(['r1', 'a2', 'd2/relu']);
    const x = randomArray(5 * 8 * 8 * 3, rng(2));
    const ref = tf.tidy(() => (model.predict(tf.tensor(x, [5, 8, 8, 3])) as tf.Tensor).dataSync() as Float32Array);
    const xin = nhwcToNchw(x, 5, 8, 8, 3);
    const opts = { backend: 'cpu', threads: 1 } as const;
    expect(maxAbsDiff(await runAnn(folded, xin, 5, opts), ref)).toBeLessThan(1e-4);
    expect(maxAbsDiff(await runAnn(graph, xin, 5, opts), ref)).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses a batch-norm that does not directly follow a linear layer', () => {
    const x = tfl.input({ shape: [4] });
    const h = tfl.layers.dense({ units: 3, activation: 'relu', name: 'dd' }).apply(x) as tfl.SymbolicTensor;
    const y = tfl.layers.batchNormalization({ name: 'late_bn' }).apply(h) as tfl.SymbolicTensor;
    const g = extractGraph(tfl.model({ inputs: x, outputs: y }));
    expect(() => foldBatchNorm(g)).toThrow(BatchNormFoldError);
    expect(() => foldBatchNorm(g)).toThrow(/late_bn.*dd\/relu/);
  });

  it('refuses to fold into a layer whose output is also used elsewhere', () => {
    const x = tfl.input({ shape: [4] });
    const d = tfl.layers.dense({ units: 4, name: 'shared_out' }).apply(x) as tfl.SymbolicTensor;
    const bn = tfl.layers.batchNormalization({ name: 'bn_x' }).apply(d) as tfl.SymbolicTensor;
    const y = tfl.layers.add().apply([bn, d]) as tfl.SymbolicTensor;
    expect(() => foldBatchNorm(extractGraph(tfl.model({ inputs: x, outputs: y })))).toThrow(/also used/);
  });

  it('a ReLU layer object applied twice is two sites; a relu inside a conv is a site', () => {
    const x = tfl.input({ shape: [4, 4, 2] });
    const relu = tfl.layers.reLU({ name: 'shared' });
    const c1 = tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu', name: 'cv' }).apply(x) as tfl.SymbolicTensor;
    const a = relu.apply(c1) as tfl.SymbolicTensor;
    const b = relu.apply(tfl.layers.add().apply([a, x])) as tfl.SymbolicTensor;
    const g = extractGraph(tfl.model({ inputs: x, outputs: b }));
    expect(g.nodes.filter((n) => n.op.kind === 'relu').map((n) => n.id)).toEqual(['cv/relu', 'shared#1', 'shared#2']);
    expect(g.nodes.find((n) => n.id === 'cv')!.shape).toEqual([2, 4, 4]);
  });

  it('reads Sequential models, including a nested one', () => {
    const inner = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 5, activation: 'relu', name: 'in1' })] });
    const m = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [2, 3, 1] }), inner, tfl.layers.dense({ units: 2, activation: 'softmax', name: 'head' })],
    });
    const g = extractGraph(m);
    // A flatten of a 1-channel map needs no reordering.
    expect(g.nodes.map((n) => n.op.kind)).toEqual(['input', 'flatten', 'dense', 'relu', 'dense', 'softmax']);
    expect(annMacs(g)).toBe(6 * 5 + 5 * 2);
  });

  it('an unsupported layer fails with its name and class', () => {
    const m = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [3], units: 4, name: 'fc' }), tfl.layers.leakyReLU({ name: 'leaky_one' })],
    });
    expect(() => extractGraph(m)).toThrow(UnsupportedLayerError);
    expect(() => extractGraph(m)).toThrow(/'leaky_one' \(LeakyReLU\)/);
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4, activation: 'tanh', name: 'fc_tanh' })] });
    expect(() => extractGraph(t)).toThrow(/'fc_tanh\/tanh' \(Dense\).*tanh/);
    const up = tfl.sequential({ layers: [tfl.layers.upSampling2d({ inputShape: [2, 2, 1], size: [2, 2], interpolation: 'bilinear', name: 'bil' })] });
    expect(() => extractGraph(up)).toThrow(/'bil' \(UpSampling2D\).*bilinear/);
    // A clipped ReLU is representable (ONNX Clip): the converter, not the IR, refuses it.
    const r6 = tfl.sequential({ layers: [tfl.layers.reLU({ inputShape: [3], maxValue: 6, name: 'r6' })] });
    expect(extractGraph(r6).nodes[1]!.op).toEqual({ kind: 'relu', max: 6 });
  });
});
