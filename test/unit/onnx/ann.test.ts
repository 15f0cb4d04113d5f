// The imported graph computes what the file computes: Spikelab's ANN (IR v2 → ONNX Runtime, the
// engine's own emitter and runner) against PyTorch's outputs for every fixture, against ONNX Runtime
// running the original file for the hand-built graphs, and on real Fashion-MNIST against PyTorch's
// recorded accuracy.
import { access } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { normalizeBytes } from '../../../src/data/normalize.js';
import { readIdxPair } from '../../../src/data/idx.js';
import { importOnnx } from '../../../src/engine/onnx/index.js';
import { AnnRunner, runAnn } from '../../../src/engine/ort/index.js';
import { maxAbsDiff } from '../engine/helpers.js';
import { ints, model, node, tensor, values, type ModelParts } from './build.js';
import { fixture, IMPORTABLE } from './fixtures.js';

const CPU = { backend: 'cpu', threads: 1 } as const;

describe('ANN outputs equal PyTorch’s (max |Δ| ≤ 1e-4)', () => {
  it.each(IMPORTABLE)('%s', async (name) => {
    const f = fixture(name);
    const r = importOnnx(f.bytes, f.dynamicHW ? { inputShape: f.inputShape } : {});
    const batch = f.input.shape[0] as number;
    const y = await runAnn(r.graph, f.input.data, batch, CPU);
    expect(y.length).toBe(f.output.data.length);
    expect(maxAbsDiff(y, f.output.data)).toBeLessThanOrEqual(1e-4);
  });
});

/** The file itself on ONNX Runtime (x given in the file's layout). */
async function runFile(bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const out = await s.run({ [s.inputNames[0] as string]: new ort.Tensor('float32', x, dims) });
    return (out[s.outputNames[0] as string] as ort.Tensor).data as Float32Array;
  } finally {
    await s.release();
  }
}

function classifier(body: ModelParts['nodes'], inits: ModelParts['initializers'], features: number, opset = 13): ModelParts {
  return {
    opset,
    initializers: [...(inits ?? []), tensor('fc', [3, features], values(3 * features, 9)), tensor('fcb', [3], [0.1, -0.2, 0.3])],
    nodes: [...body, node('Flatten', ['h'], ['f']), node('Gemm', ['f', 'fc', 'fcb'], ['y'], { transB: { i: 1 } })],
  };
}

const HAND_BUILT: [string, ModelParts, (number | string)[]][] = [
  ['Conv SAME_LOWER stride 2, dilated max-pool with pads', classifier([
    node('Conv', ['x', 'w', 'b'], ['c'], { auto_pad: { s: 'SAME_LOWER' }, strides: { ints: [2, 2] } }), node('Relu', ['c'], ['r']),
    node('MaxPool', ['r'], ['h'], { kernel_shape: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, dilations: { ints: [2, 2] } }),
  ], [tensor('w', [3, 2, 3, 3], values(54, 1)), tensor('b', [3], [0.1, 0.2, -0.1])], 3 * 3 * 3), ['N', 2, 5, 5]],
  ['ConvTranspose with output_shape, AveragePool ceil_mode count_include_pad', classifier([
    node('ConvTranspose', ['x', 'w'], ['c'], { strides: { ints: [2, 2] }, output_shape: { ints: [9, 9] } }), node('Relu', ['c'], ['r']),
    node('AveragePool', ['r'], ['h'], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, ceil_mode: { i: 1 }, count_include_pad: { i: 1 } }),
  ], [tensor('w', [2, 3, 3, 3], values(54, 2))], 3 * 5 * 5), ['N', 2, 5, 5]],
  ['ceil_mode pools whose last window reaches past the input (max, average without and with count_include_pad)', classifier([
    node('MaxPool', ['x'], ['m'], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { i: 1 } }),
    node('AveragePool', ['x'], ['a'], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { i: 1 } }),
    node('AveragePool', ['x'], ['p'], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { i: 1 }, count_include_pad: { i: 1 } }),
    node('Concat', ['m', 'a', 'p'], ['h'], { axis: { i: 1 } }),
  ], [], 6 * 3 * 3), ['N', 2, 6, 6]],
  ['Gemm transB 0 with alpha and beta, MatMul + Add, Sum of three, Clip(0, 6) as an input-form Clip', {
    initializers: [tensor('B', [32, 6], values(192, 3)), tensor('C', [6], values(6, 4)), tensor('W2', [6, 3], values(18, 5)), tensor('b2', [1, 3], [0.5, 0, -0.5]), tensor('zero', [], [0]), tensor('six', [], [6])],
    nodes: [
      node('Flatten', ['x'], ['f']), node('Gemm', ['f', 'B', 'C'], ['g'], { alpha: { f: 1.5 }, beta: { f: 0.5 } }), node('Clip', ['g', 'zero', 'six'], ['a']),
      node('Relu', ['g'], ['b']), node('Identity', ['a'], ['c']), node('Sum', ['a', 'b', 'c'], ['s']), node('MatMul', ['s', 'W2'], ['m']), node('Add', ['b2', 'm'], ['y']),
    ],
  }, ['N', 2, 4, 4]],
  ['Resize ×3 half_pixel (default rounding), concat skip, opset 18 Pad with axes and ReduceMean', {
    opset: 18,
    initializers: [tensor('sc', [4], [1, 1, 3, 3]), tensor('w', [2, 4, 1, 1], values(8, 6)), ints('pads', [1, 0, 0, 2]), ints('padAxes', [2, 3]), ints('axes', [2, 3]), tensor('fc', [3, 2], values(6, 7))],
    nodes: [
      node('Resize', ['x', '', 'sc'], ['u'], { mode: { s: 'nearest' } }), node('Relu', ['u'], ['r']), node('Concat', ['u', 'r'], ['k'], { axis: { i: 1 } }),
      node('Conv', ['k', 'w'], ['c']), node('Pad', ['c', 'pads', '', 'padAxes'], ['p']), node('ReduceMean', ['p', 'axes'], ['m'], { keepdims: { i: 0 } }),
      node('Gemm', ['m', 'fc'], ['y'], { transB: { i: 1 } }),
    ],
  }, ['N', 2, 3, 4]],
  ['GlobalAveragePool then x.squeeze(-1).squeeze(-1), Unsqueeze and Flatten on computed tensors', {
    initializers: [tensor('w', [4, 2, 3, 3], values(72, 14)), ints('last', [-1]), ints('mid', [2]), tensor('fc', [3, 4], values(12, 15))],
    nodes: [
      node('Conv', ['x', 'w'], ['c']), node('Relu', ['c'], ['r']), node('GlobalAveragePool', ['r'], ['g']), node('Squeeze', ['g', 'last'], ['s1']), node('Squeeze', ['s1', 'last'], ['s2']),
      node('Unsqueeze', ['s2', 'mid'], ['u']), node('Flatten', ['u'], ['f']), node('Gemm', ['f', 'fc'], ['y'], { transB: { i: 1 } }),
    ],
  }, ['N', 2, 5, 5]],
  ['opset 7: Clip attributes and Upsample with scales attribute', {
    opset: 7,
    initializers: [tensor('fc', [3, 2 * 8 * 8], values(384, 8)), tensor('fcb', [3], [0.1, 0, -0.1])],
    nodes: [node('Clip', ['x'], ['c'], { min: { f: 0 }, max: { f: 0.5 } }), node('Upsample', ['c'], ['u'], { mode: { s: 'nearest' }, scales: { floats: [1, 1, 2, 2] } }), node('Flatten', ['u'], ['f']), node('Gemm', ['f', 'fc', 'fcb'], ['y'], { transB: { i: 1 } })],
  }, ['N', 2, 4, 4]],
  ['BatchNormalization after a conv and after a dense layer, transpose, reshape, softmax head', {
    initializers: [
      tensor('w', [3, 2, 3, 3], values(54, 10)), tensor('s', [3], [1.5, 0.7, 1]), tensor('bb', [3], [0.1, -0.1, 0]), tensor('m', [3], [0.2, 0, -0.3]), tensor('v', [3], [0.5, 1.5, 1]),
      ints('shape', [0, 12, 4]), tensor('fc', [48, 5], values(240, 11)), tensor('s1', [5], [1, 2, 0.5, 1, 1]), tensor('b1', [5], [0, 0.1, 0.2, 0.3, 0.4]), tensor('m1', [5], [0, 0, 0, 0.1, 0.2]), tensor('v1', [5], [1, 1, 2, 2, 0.5]),
    ],
    nodes: [
      node('Conv', ['x', 'w'], ['c'], { pads: { ints: [1, 1, 1, 1] } }), node('BatchNormalization', ['c', 's', 'bb', 'm', 'v'], ['n'], { epsilon: { f: 1e-3 } }), node('Relu', ['n'], ['r']),
      node('Transpose', ['r'], ['t'], { perm: { ints: [0, 2, 3, 1] } }), node('Reshape', ['t', 'shape'], ['rs']), node('Flatten', ['rs'], ['f']), node('MatMul', ['f', 'fc'], ['d']),
      node('BatchNormalization', ['d', 's1', 'b1', 'm1', 'v1'], ['dn']), node('Softmax', ['dn'], ['y'], { axis: { i: 1 } }),
    ],
  }, ['N', 2, 4, 4]],
];

describe('the imported graph computes what ONNX Runtime computes on the original file', () => {
  it.each(HAND_BUILT)('%s', async (_, parts, dims) => {
    const bytes = model(parts, dims);
    const r = importOnnx(bytes);
    const batch = 3;
    const x = values(batch * r.inputShape.reduce((a, b) => a * b, 1), 42);
    const want = await runFile(bytes, x, [batch, ...r.inputShape]);
    expect(maxAbsDiff(await runAnn(r.graph, x, batch, CPU), want)).toBeLessThanOrEqual(1e-5);
  });

  it('an NHWC input (tf2onnx): the IR takes NCHW and computes the file’s function', async () => {
    const bytes = model(classifier([
      node('Transpose', ['x'], ['xt'], { perm: { ints: [0, 3, 1, 2] } }), node('Conv', ['xt', 'w'], ['c'], { auto_pad: { s: 'SAME_UPPER' } }), node('Relu', ['c'], ['r']),
      node('Transpose', ['r'], ['back'], { perm: { ints: [0, 2, 3, 1] } }), node('Transpose', ['back'], ['h'], { perm: { ints: [0, 3, 1, 2] } }),
    ], [tensor('w', [2, 3, 3, 3], values(54, 12))], 2 * 5 * 6), ['unk', 5, 6, 3]);
    const r = importOnnx(bytes);
    expect(r.inputLayout).toBe('NHWC');
    const batch = 2;
    const nhwc = values(batch * 5 * 6 * 3, 13);
    const nchw = new Float32Array(nhwc.length);
    for (let n = 0; n < batch; n++) for (let y = 0; y < 5; y++) for (let xx = 0; xx < 6; xx++) for (let c = 0; c < 3; c++) nchw[((n * 3 + c) * 5 + y) * 6 + xx] = nhwc[((n * 5 + y) * 6 + xx) * 3 + c] as number;
    const want = await runFile(bytes, nhwc, [batch, 5, 6, 3]);
    expect(maxAbsDiff(await runAnn(r.graph, nchw, batch, CPU), want)).toBeLessThanOrEqual(1e-5);
  });
});

const FMNIST = '/usr/share/datasets/fashion-mnist';
const haveFmnist = await access(FMNIST).then(() => true, () => false);

(haveFmnist ? describe : describe.skip)('trained Fashion-MNIST classifiers: accuracy on the first 1000 test images equals PyTorch’s', () => {
  it.each(['fmnist_vgg', 'fmnist_resnet'])('%s', async (name) => {
    const f = fixture(name);
    const r = importOnnx(f.bytes);
    const test = await readIdxPair(FMNIST, 't10k', 1000);
    const x = normalizeBytes(test.images, 1, 'standard', [0.286], [0.353]);
    const runner = await AnnRunner.create(r.graph, CPU);
    try {
      const { output } = await runner.run(x, 1000);
      let correct = 0;
      for (let i = 0; i < 1000; i++) {
        const row = output.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) === test.labels[i]) correct++;
      }
      expect(Math.abs(correct / 1000 - (f.accuracyFirst1000 as number))).toBeLessThanOrEqual(0.0015);
    } finally {
      await runner.release();
    }
  });
});
