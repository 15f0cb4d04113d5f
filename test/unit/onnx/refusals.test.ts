// What the importer refuses, and how: a typed error (OnnxImportError) naming what is wrong, never a
// crash, a hang or the file's bytes in the message.
import {
  importOnnx, OnnxFormatError, OnnxImportError, OnnxShapeError, OnnxUnsupportedError, SUPPORTED_OPS,
} from '../../../src/engine/onnx/index.js';
import { ints, model, node, tensor, valueInfo, values } from './build.js';
import { fixture } from './fixtures.js';

function refusal(bytes: Uint8Array, options = {}): Error {
  try {
    importOnnx(bytes, options);
  } catch (e) {
    return e as Error;
  }
  throw new Error('imported');
}

const conv = (extra: Record<string, number[]> = {}): Parameters<typeof model>[0] => ({
  initializers: [tensor('w', [2, 1, 3, 3], values(18, 1)), tensor('fc', [3, 2 * 4 * 4], values(96, 2))],
  nodes: [
    node('Conv', ['x', 'w'], ['c'], { pads: { ints: [1, 1, 1, 1] }, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, { ints: v }])) }),
    node('Relu', ['c'], ['r']),
    node('Flatten', ['r'], ['f']),
    node('Gemm', ['f', 'fc'], ['y'], { transB: { i: 1 } }),
  ],
});

describe('unsupported operations name the node, its op_type and what is supported', () => {
  it('a LeakyRelu exported by PyTorch', () => {
    const e = refusal(fixture('unsupported_leaky').bytes);
    expect(e).toBeInstanceOf(OnnxUnsupportedError);
    expect(e).toBeInstanceOf(OnnxImportError);
    const u = e as OnnxUnsupportedError;
    expect([u.node, u.opType]).toEqual(['/LeakyRelu', 'LeakyRelu']);
    expect(u.message).toMatch(/^cannot import ONNX node '\/LeakyRelu' \(LeakyRelu\): this operation is not supported\. Supported operations: Conv, ConvTranspose, BatchNormalization, Relu, Clip, /);
    expect(u.supported).toEqual(SUPPORTED_OPS);
  });

  it('a sigmoid inside the network (the SNN method converts ReLU sites only)', () => {
    const u = refusal(fixture('sigmoid_inside').bytes) as OnnxUnsupportedError;
    expect(u).toBeInstanceOf(OnnxUnsupportedError);
    expect([u.node, u.opType]).toEqual(['/Sigmoid', 'Sigmoid']);
    expect(u.message).toContain('a sigmoid inside the network');
  });

  it.each([
    ['LeakyRelu on a computed tensor', [node('LeakyRelu', ['x'], ['y'])], 'y', 'this operation is not supported'],
    ['Mul of a computed tensor (constants only)', [node('Mul', ['x', 'two'], ['y'])], 'y', 'supported on constants only'],
    ['Clip with a negative lower bound', [node('Clip', ['x', 'lo', 'six'], ['y'])], 'y', 'Clip(min = -1) is not a ReLU'],
    ['grouped convolution', [node('Conv', ['x', 'wg'], ['y'], { group: { i: 2 } })], 'y', 'group = 2'],
    ['weights computed from the input', [node('Conv', ['x', 'x'], ['y'])], 'y', 'must be a constant in the file'],
    ['reflect padding', [node('Pad', ['x', 'pads'], ['y'], { mode: { s: 'reflect' } })], 'y', "mode 'reflect'"],
    ['a reshape that moves the batch', [node('Reshape', ['x', 'flat'], ['y'])], 'y', 'changes the batch axis'],
    ['a transpose of the batch axis', [node('Transpose', ['x'], ['y'], { perm: { ints: [1, 0, 2, 3] } })], 'y', 'moves the batch axis'],
    ['bilinear resize', [node('Resize', ['x', '', 'sc'], ['y'], { mode: { s: 'linear' } })], 'y', "mode 'linear'"],
    ['nearest resize that does not repeat pixels', [node('Resize', ['x', '', 'sc3'], ['y'], { coordinate_transformation_mode: { s: 'asymmetric' } })], 'y', 'does not repeat pixels'],
    ['a BatchNormalization in training mode', [node('BatchNormalization', ['x', 'one', 'zero', 'zero', 'one'], ['y', 'rm', 'rv'])], 'y', 'training mode'],
    ['an unknown domain', [node('Gelu', ['x'], ['y'], {}, 'gelu', 'com.microsoft')], 'gelu', "operator domain 'com.microsoft'"],
  ] as const)('%s', (_, nodes, name, text) => {
    const bytes = model({
      initializers: [
        tensor('two', [], [2]), tensor('lo', [], [-1]), tensor('six', [], [6]), tensor('wg', [2, 1, 1, 1], [1, 1]),
        ints('pads', [0, 0, 1, 1, 0, 0, 1, 1]), ints('flat', [-1]), tensor('sc', [4], [1, 1, 2, 2]), tensor('sc3', [4], [1, 1, 3, 3]),
        tensor('one', [1], [1]), tensor('zero', [1], [0]),
      ],
      nodes: [...nodes],
    });
    const e = refusal(bytes) as OnnxUnsupportedError;
    expect(e).toBeInstanceOf(OnnxUnsupportedError);
    expect(e.node).toBe(name);
    expect(e.message).toContain(text);
  });

  it('a batch-norm that does not directly follow a linear layer cannot be folded', () => {
    const bytes = model({
      initializers: [tensor('s', [1], [1.5]), tensor('b', [1], [0.1]), tensor('m', [1], [0.2]), tensor('v', [1], [0.9]), tensor('fc', [3, 16], values(48, 3))],
      nodes: [node('Relu', ['x'], ['r']), node('BatchNormalization', ['r', 's', 'b', 'm', 'v'], ['n'], {}, 'bn'), node('Flatten', ['n'], ['f']), node('Gemm', ['f', 'fc'], ['y'], { transB: { i: 1 } })],
    });
    const e = refusal(bytes) as OnnxUnsupportedError;
    expect([e.node, e.opType]).toEqual(['bn', 'BatchNormalization']);
    expect(e.message).toContain("it follows Relu 'r', not a Conv, ConvTranspose or linear layer");
  });

  it('a constant added to a layer output that is also read elsewhere is not a bias', () => {
    const bytes = model({
      initializers: [tensor('w', [16, 5], values(80, 4)), tensor('b', [5], values(5, 5))],
      nodes: [node('Flatten', ['x'], ['f']), node('MatMul', ['f', 'w'], ['m']), node('Add', ['m', 'b'], ['a'], {}, 'bias'), node('Add', ['a', 'm'], ['y'])],
    });
    const e = refusal(bytes) as OnnxUnsupportedError;
    expect(e.node).toBe('bias');
    expect(e.message).toContain('the layer output is also used elsewhere');
    // the same through an Identity: the layer's output has two readers under two names
    const aliased = model({
      initializers: [tensor('w', [16, 5], values(80, 4)), tensor('b', [5], values(5, 5))],
      nodes: [node('Flatten', ['x'], ['f']), node('MatMul', ['f', 'w'], ['m']), node('Identity', ['m'], ['m2']), node('Add', ['m2', 'b'], ['a'], {}, 'bias'), node('Relu', ['m'], ['r']), node('Add', ['a', 'r'], ['y'])],
    });
    expect((refusal(aliased) as OnnxUnsupportedError).node).toBe('bias');
  });

  it('outputs that are neither [classes] nor a [1, H, W] sigmoid map are refused', () => {
    const e = refusal(model({ initializers: [tensor('w', [2, 1, 1, 1], [1, 2])], nodes: [node('Conv', ['x', 'w'], ['y'])] }));
    expect(e).toBeInstanceOf(OnnxShapeError);
    expect(e.message).toContain("the model's output has per-sample shape [2, 4, 4] after Conv");
  });
});

describe('files that are not a usable ONNX model get an OnnxFormatError', () => {
  const vgg = fixture('vgg_o13').bytes;

  it.each([
    ['empty', new Uint8Array(0), 'the file is empty'],
    ['text', new TextEncoder().encode('name,value\nSECRET-CONTENT,1\n'), 'invalid ONNX model: '],
    ['a PNG header', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'invalid ONNX model: '],
    ['truncated in the middle', vgg.subarray(0, Math.floor(vgg.length / 2)), 'truncated'],
    ['truncated by one byte', vgg.subarray(0, vgg.length - 1), 'invalid ONNX model: '],
  ])('%s', (_, bytes, text) => {
    const e = refusal(bytes);
    expect(e).toBeInstanceOf(OnnxFormatError);
    expect(e.message).toContain(text);
    expect(e.message).not.toContain('SECRET');
  });

  it('limits: a file above maxBytes, a tensor above maxElements', () => {
    expect(refusal(vgg, { limits: { maxBytes: 1000 } }).message).toBe(`invalid ONNX model: the file has ${vgg.length} bytes, above the limit of 1000`);
    expect(refusal(vgg, { limits: { maxElements: 100 } }).message).toMatch(/initializer '.*' has \d+ elements, above the limit of 100/);
    expect(refusal(model({ initializers: [ints('s', [1e6, 1e6])], nodes: [node('ConstantOfShape', ['s'], ['k']), node('Add', ['x', 'k'], ['y'])] })).message).toContain('exceeds');
  });

  it.each([
    ['external data', () => model({ ...conv(), initializers: [{ name: 'w', dims: [2, 1, 3, 3], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] }, tensor('fc', [3, 32], values(96, 2))] }), "initializer 'w' keeps its data in an external file"],
    ['two image inputs', () => model({ ...conv(), inputs: [valueInfo('x', ['N', 1, 4, 4]), valueInfo('x2', ['N', 1, 4, 4])] }), "the graph has 2 inputs ('x', 'x2')"],
    ['weights as a graph input, not an initializer', () => model({ ...conv(), initializers: [tensor('fc', [3, 32], values(96, 2))], inputs: [valueInfo('x', ['N', 1, 4, 4]), valueInfo('w', [2, 1, 3, 3])] }), "the graph has 2 inputs ('x', 'w')"],
    ['an opset outside 7–21', () => model({ ...conv(), opset: 22 }), 'opset 22 is outside the supported 7–21'],
    ['no default-domain opset', () => model({ ...conv(), opset: 0 }), 'opset 0 is outside'],
    ['a node reading an undefined value', () => model({ nodes: [node('Relu', ['nowhere'], ['y'])] }), "node 'y' (Relu) reads 'nowhere', which no node, input or initializer defines"],
    ['a cycle', () => model({ nodes: [node('Add', ['x', 'b'], ['a']), node('Relu', ['a'], ['b']), node('Relu', ['b'], ['y'])] }), 'the graph has a cycle'],
    ['two outputs', () => model({ ...conv(), outputs: [valueInfo('y', null), valueInfo('r', null)] }), 'the graph has 2 outputs'],
    ['a constant output', () => model({ nodes: [node('Constant', [], ['y'], { value: { t: tensor('', [1], [1]) } })] }), "the model's output does not depend on its input"],
    ['a payload shorter than its dims', () => model({ ...conv(), initializers: [tensor('w', [2, 1, 3, 3], values(17, 1)), tensor('fc', [3, 32], values(96, 2))] }), "initializer 'w': 17 values for dims [2, 1, 3, 3] (need 18)"],
  ])('%s', (_, make, text) => {
    const e = refusal(make());
    expect(e).toBeInstanceOf(OnnxImportError);
    expect(e.message).toContain(text);
  });

  it('weights holding NaN or infinities, a batch-norm variance that is not positive', () => {
    const nan = values(18, 1);
    nan[5] = NaN;
    expect(refusal(model({ ...conv(), initializers: [tensor('w', [2, 1, 3, 3], nan), tensor('fc', [3, 32], values(96, 2))] })).message)
      .toBe("invalid ONNX model: node 'c' (Conv): its weight holds NaN or infinite values");
    const bn = (v: number): Uint8Array => model({
      initializers: [tensor('w', [1, 1, 1, 1], [2]), tensor('s', [1], [1]), tensor('b', [1], [0]), tensor('m', [1], [0]), tensor('v', [1], [v]), tensor('fc', [3, 16], values(48, 3))],
      nodes: [node('Conv', ['x', 'w'], ['c']), node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['n'], { epsilon: { f: 1e-5 } }, 'bn'), node('Flatten', ['n'], ['f']), node('Gemm', ['f', 'fc'], ['y'], { transB: { i: 1 } })],
    });
    expect(refusal(bn(-1)).message).toBe("invalid ONNX model: node 'bn' (BatchNormalization): variance + epsilon is not positive");
    expect(importOnnx(bn(0)).graph.nodes.some((n) => n.op.kind === 'batchNorm')).toBe(true);
  });

  it('a hand-built model of the same kind imports (the refusals above are about the one thing changed)', () => {
    expect(importOnnx(model(conv())).numClasses).toBe(3);
  });

  it('never crashes or hangs on corrupted files: 300 truncations and byte flips of a real export', () => {
    let a = 12345;
    const rand = (n: number): number => {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      return a % n;
    };
    const started = Date.now();
    const outcomes = { imported: 0, refused: 0 };
    for (let k = 0; k < 300; k++) {
      const bytes = k % 2 === 0 ? vgg.slice(0, rand(vgg.length)) : vgg.slice();
      if (k % 2 === 1) for (let j = 0; j < 1 + rand(8); j++) bytes[rand(bytes.length)] = rand(256);
      try {
        importOnnx(bytes);
        outcomes.imported++;
      } catch (e) {
        if (!(e instanceof OnnxImportError)) throw new Error(`case ${k}: ${String(e)}`, { cause: e });
        outcomes.refused++;
      }
    }
    expect(outcomes.refused).toBeGreaterThan(150);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
