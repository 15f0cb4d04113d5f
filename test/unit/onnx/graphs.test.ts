// Hand-built ONNX graphs for what the PyTorch 1.13 fixtures do not emit: other opsets' forms (opset
// 18 inputs, Clip attributes), tf2onnx's NHWC input, auto_pad, Gemm options, batch-size arithmetic.
import type { GraphNode } from '../../../src/engine/ir/graph.js';
import { importOnnx, OnnxUnsupportedError, type OnnxImport } from '../../../src/engine/onnx/index.js';
import { ints, model, node, tensor, values, type ModelParts } from './build.js';

const BIG = Number.MAX_SAFE_INTEGER; // "to the end" (exporters write INT64_MAX; the fixtures cover that value)

function imp(p: ModelParts, xDims?: (number | string)[]): OnnxImport {
  return importOnnx(model(p, xDims));
}

function kind(r: OnnxImport, k: string): GraphNode[] {
  return r.graph.nodes.filter((n) => n.op.kind === k);
}

function reason(p: ModelParts, xDims?: (number | string)[]): string {
  try {
    imp(p, xDims);
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxUnsupportedError);
    return (e as Error).message;
  }
  throw new Error('imported');
}

const scalar64 = (name: string, v: number): ReturnType<typeof tensor> => tensor(name, [], [v], 7);

/** x [N, 2, 3, 3] → conv 1×1 (2 → 4) → Reshape(c, t) with `t` computed by `target` → dense 36 → 3. */
function flattenBy(target: ModelParts['nodes'], extra: ModelParts['initializers'] = [], opset = 13): ModelParts {
  return {
    opset,
    initializers: [tensor('w', [4, 2, 1, 1], values(8, 1)), tensor('fc', [3, 36], values(108, 2)), ...(extra ?? [])],
    nodes: [node('Conv', ['x', 'w'], ['c']), ...target, node('Reshape', ['c', 't'], ['f'], {}, 'reshape'), node('Gemm', ['f', 'fc'], ['y'], { transB: { i: 1 } })],
  };
}

const N_CHW: (number | string)[] = ['N', 2, 3, 3];

function reshaped(r: OnnxImport): readonly number[] | undefined {
  return r.graph.nodes.find((n) => n.id === 'reshape')?.shape;
}

describe('constant folding of shape arithmetic', () => {
  it('x.view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat → Reshape, batch symbolic', () => {
    const r = imp(flattenBy([
      node('Shape', ['c'], ['s']),
      node('Gather', ['s', 'zero'], ['n'], { axis: { i: 0 } }),
      node('Unsqueeze', ['n', 'axes0'], ['n1']),
      node('Concat', ['n1', 'minus1'], ['t'], { axis: { i: 0 } }),
    ], [scalar64('zero', 0), ints('axes0', [0]), ints('minus1', [-1])]), N_CHW);
    expect(reshaped(r)).toEqual([36]);
    expect(kind(r, 'reshape')).toHaveLength(1);
  });

  it('opset 11 forms (Unsqueeze axes attribute) and products of static dims: [N, C·H·W]', () => {
    const r = imp(flattenBy([
      node('Shape', ['c'], ['s']),
      node('Slice', ['s', 'one', 'end'], ['chw']),
      node('ReduceProd', ['chw'], ['p'], { keepdims: { i: 1 } }),
      node('Gather', ['s', 'zero'], ['n'], { axis: { i: 0 } }),
      node('Unsqueeze', ['n'], ['n1'], { axes: { ints: [0] } }),
      node('Concat', ['n1', 'p'], ['t'], { axis: { i: 0 } }),
    ], [ints('one', [1]), ints('end', [BIG]), scalar64('zero', 0)], 11), N_CHW);
    expect(reshaped(r)).toEqual([36]);
  });

  it('targets that keep the batch: 0 (copy), −1 with the rest given, the batch size the file fixes', () => {
    expect(reshaped(imp(flattenBy([], [ints('t', [0, 36])]), N_CHW))).toEqual([36]);
    expect(reshaped(imp(flattenBy([], [ints('t', [-1, 36])]), N_CHW))).toEqual([36]);
    expect(reshaped(imp(flattenBy([], [ints('t', [1, -1])]), [1, 2, 3, 3]))).toEqual([36]);
    expect(reason(flattenBy([], [ints('t', [1, -1])]), N_CHW)).toContain("cannot import ONNX node 'reshape' (Reshape): Reshape to [1, -1] changes the batch axis");
    expect(reason(flattenBy([], [ints('t', [-1])]), N_CHW)).toContain('Reshape to [-1] changes the batch axis');
  });

  it('arithmetic that needs the batch size is refused, naming the node', () => {
    const prefix = [node('Shape', ['c'], ['s']), node('Gather', ['s', 'zero'], ['n'], { axis: { i: 0 } })];
    const consts = [scalar64('zero', 0), scalar64('two', 2), ints('axes0', [0]), ints('minus1', [-1])];
    const twoN = flattenBy([...prefix, node('Mul', ['n', 'two'], ['n2']), node('Unsqueeze', ['n2', 'axes0'], ['n21']), node('Concat', ['n21', 'minus1'], ['t'], { axis: { i: 0 } })], consts);
    expect(reason(twoN, N_CHW)).toContain('Reshape to [2·N, -1] changes the batch axis');
    const square = flattenBy([...prefix, node('Mul', ['n', 'n'], ['nn'], {}, 'square'), node('Unsqueeze', ['nn', 'axes0'], ['n21']), node('Concat', ['n21', 'minus1'], ['t'], { axis: { i: 0 } })], consts);
    expect(reason(square, N_CHW)).toContain("node 'square' (Mul): Mul of values that depend on the batch size cannot be resolved statically");
    // N·36 / N = 36 is exact for every N
    const perSample = flattenBy([
      ...prefix, node('Size', ['c'], ['size']), node('Div', ['size', 'n'], ['q']), node('Unsqueeze', ['q', 'axes0'], ['q1']),
      node('Unsqueeze', ['n', 'axes0'], ['n1']), node('Concat', ['n1', 'q1'], ['t'], { axis: { i: 0 } }),
    ], consts);
    expect(reshaped(imp(perSample, N_CHW))).toEqual([36]);
  });

  it('torch’s F.pad chain: ConstantOfShape, Concat, Reshape, Slice with step −1, Transpose, Cast → Pad', () => {
    // F.pad(x, (1, 0, 2, 0)) on NCHW: pads = [0, 0, 2, 1, 0, 0, 0, 0] after reversing the (begin, end) pairs
    const r = imp({
      initializers: [
        ints('torchPads', [1, 0, 2, 0]), ints('four', [4]), ints('shape2', [-1, 2]), ints('sStart', [-1]), ints('sEnd', [-BIG]),
        ints('sAxes', [0]), ints('sSteps', [-1]), ints('flat', [-1]), tensor('fc', [3, 5 * 4], values(60, 1)),
      ],
      nodes: [
        node('ConstantOfShape', ['four'], ['zeros'], { value: { t: tensor('', [1], [0], 7) } }),
        node('Concat', ['torchPads', 'zeros'], ['cat'], { axis: { i: 0 } }),
        node('Reshape', ['cat', 'shape2'], ['pairs']),
        node('Slice', ['pairs', 'sStart', 'sEnd', 'sAxes', 'sSteps'], ['rev']),
        node('Transpose', ['rev'], ['tr'], { perm: { ints: [1, 0] } }),
        node('Reshape', ['tr', 'flat'], ['pads8']),
        node('Cast', ['pads8'], ['pads'], { to: { i: 7 } }),
        node('Pad', ['x', 'pads', ''], ['p'], { mode: { s: 'constant' } }, 'pad'),
        node('Flatten', ['p'], ['f']),
        node('Gemm', ['f', 'fc'], ['y'], { transB: { i: 1 } }),
      ],
    }, ['N', 1, 3, 3]);
    const [pad] = kind(r, 'pad');
    expect(pad?.op).toEqual({ kind: 'pad', pads: [0, 2, 1, 0, 0, 0] });
    expect(pad?.shape).toEqual([1, 5, 4]);
  });

  it('Range, Equal, Where, Expand fold into Resize sizes; a Range up to the batch size is refused', () => {
    // sizes = [N, C] from Shape(x, end = 2) ++ Where(Equal(r, r), 2·r, 0) with r = Range(3, 5, 1) = [3, 4]
    const r = imp({
      opset: 18,
      initializers: [scalar64('three', 3), scalar64('five', 5), scalar64('one', 1), ints('two', [2]), ints('zero', [0]), ints('two2', [2])],
      nodes: [
        node('Shape', ['x'], ['s'], { end: { i: 2 } }),
        node('Range', ['three', 'five', 'one'], ['hw']),
        node('Equal', ['hw', 'hw'], ['t']),
        node('Mul', ['hw', 'two'], ['hw2']),
        node('Expand', ['zero', 'two2'], ['z']),
        node('Where', ['t', 'hw2', 'z'], ['sp']),
        node('Concat', ['s', 'sp'], ['sizes'], { axis: { i: 0 } }),
        node('Resize', ['x', '', '', 'sizes'], ['up'], { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' } }),
        node('Sigmoid', ['up'], ['y']),
      ],
    }, ['N', 1, 3, 4]);
    expect(kind(r, 'upsample').map((n) => [n.op, n.shape])).toEqual([[{ kind: 'upsample', scales: [2, 2] }, [1, 6, 8]]]);
    expect(r.task).toBe('segmentation');
    const rangeN = flattenBy([
      node('Shape', ['c'], ['s']), node('Gather', ['s', 'zero'], ['n'], { axis: { i: 0 } }), node('Range', ['zero', 'n', 'one'], ['rg'], {}, 'range'),
      node('Shape', ['rg'], ['srg']), node('Concat', ['srg', 'minus1'], ['t'], { axis: { i: 0 } }),
    ], [scalar64('zero', 0), scalar64('one', 1), ints('minus1', [-1])]);
    expect(reason(rangeN, N_CHW)).toContain("node 'range' (Range): Range argument depends on the batch size");
  });
});

/** x [N, 1, 4, 4] → `body` (ending in value 'h' of per-sample shape [c, hw, hw]) → flatten → dense → 3 classes. */
function classifier(body: ModelParts['nodes'], inits: ModelParts['initializers'], features: number, opset = 13): ModelParts {
  return {
    opset,
    initializers: [...(inits ?? []), tensor('fc', [3, features], values(3 * features, 9))],
    nodes: [...body, node('Flatten', ['h'], ['f']), node('Gemm', ['f', 'fc'], ['y'], { transB: { i: 1 } })],
  };
}

describe('layers in the forms other exporters and opsets use', () => {
  it('tf2onnx NHWC input: the leading Transpose(0, 3, 1, 2) is absorbed; the IR takes NCHW', () => {
    const r = imp(classifier([
      node('Transpose', ['x'], ['xt'], { perm: { ints: [0, 3, 1, 2] } }),
      node('Conv', ['xt', 'w'], ['h'], { auto_pad: { s: 'SAME_UPPER' } }),
    ], [tensor('w', [2, 3, 3, 3], values(54, 1))], 2 * 5 * 6), ['unk', 5, 6, 3]);
    expect(r.inputLayout).toBe('NHWC');
    expect(r.inputShape).toEqual([3, 5, 6]);
    expect(r.graph.nodes.map((n) => n.op.kind)).toEqual(['input', 'conv', 'flatten', 'dense']);
    expect(r.graph.nodes[1]?.inputs).toEqual([r.graph.input]);
  });

  it('auto_pad SAME_UPPER / SAME_LOWER / VALID give ONNX’s pads', () => {
    const pads = (autoPad: string): unknown => {
      const r = imp(classifier([node('Conv', ['x', 'w'], ['h'], { auto_pad: { s: autoPad }, strides: { ints: [2, 2] } })], [tensor('w', [1, 1, 2, 2], [1, 2, 3, 4])], autoPad === 'VALID' ? 4 : 9), ['N', 1, 5, 5]);
      const c = kind(r, 'conv')[0];
      return c?.op.kind === 'conv' ? [c.op.pads, c.shape] : null;
    };
    expect(pads('SAME_UPPER')).toEqual([[0, 0, 1, 1], [1, 3, 3]]);
    expect(pads('SAME_LOWER')).toEqual([[1, 1, 0, 0], [1, 3, 3]]);
    expect(pads('VALID')).toEqual([[0, 0, 0, 0], [1, 2, 2]]);
  });

  it('ConvTranspose with output_padding, and with an output_shape whose padding splits evenly', () => {
    const w = tensor('w', [1, 2, 3, 3], values(18, 2));
    const a = imp(classifier([node('ConvTranspose', ['x', 'w'], ['h'], { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, output_padding: { ints: [1, 1] } })], [w], 2 * 8 * 8));
    const ca = kind(a, 'convTranspose')[0];
    expect(ca?.op.kind === 'convTranspose' && [ca.op.pads, ca.op.outputPadding, ca.shape]).toEqual([[1, 1, 1, 1], [1, 1], [2, 8, 8]]);
    const b = imp(classifier([node('ConvTranspose', ['x', 'w'], ['h'], { strides: { ints: [2, 2] }, output_shape: { ints: [7, 7] } })], [w], 2 * 7 * 7));
    const cb = kind(b, 'convTranspose')[0];
    expect(cb?.op.kind === 'convTranspose' && [cb.op.pads, cb.shape]).toEqual([[1, 1, 1, 1], [2, 7, 7]]);
    expect(reason(classifier([node('ConvTranspose', ['x', 'w'], ['h'], { strides: { ints: [2, 2] }, output_shape: { ints: [8, 8] } }, 'up')], [w], 128))).toContain('only even, non-negative totals');
  });

  it('Gemm with transB 0, alpha and beta: weight = alpha·Bᵀ, bias = beta·C', () => {
    const r = imp({
      initializers: [tensor('B', [16, 2], values(32, 3)), tensor('C', [1, 2], [0.5, -1])],
      nodes: [node('Flatten', ['x'], ['f']), node('Gemm', ['f', 'B', 'C'], ['y'], { alpha: { f: 2 }, beta: { f: 0.5 } })],
    });
    const d = kind(r, 'dense')[0];
    if (d?.op.kind !== 'dense') throw new Error('no dense');
    const B = values(32, 3);
    expect(d.op.weight.shape).toEqual([2, 16]);
    for (let o = 0; o < 2; o++) for (let i = 0; i < 16; i++) expect(d.op.weight.data[o * 16 + i]).toBeCloseTo(2 * (B[i * 2 + o] as number), 6);
    expect(Array.from(d.op.bias ?? [])).toEqual([0.25, -0.5]);
    expect(r.parameterCount).toBe(32 + 2);
  });

  it('Sum of three computed tensors is one add; Identity and Dropout (inference) vanish', () => {
    const r = imp(classifier([
      node('Relu', ['x'], ['a']), node('Relu', ['x'], ['b']), node('Identity', ['x'], ['c']),
      node('Sum', ['a', 'b', 'c'], ['s']), node('Dropout', ['s', 'ratio', 'no'], ['h', 'mask']),
    ], [tensor('ratio', [], [0.5]), { name: 'no', dims: [], dataType: 9, int32Data: [0] }], 16));
    const add = kind(r, 'add')[0];
    expect(add?.inputs).toEqual(['a', 'b', r.graph.input]);
    expect(r.graph.nodes.map((n) => n.op.kind)).toEqual(['input', 'relu', 'relu', 'add', 'flatten', 'dense']);
    expect(r.family).toBe('residual');
  });

  it('Clip: attributes before opset 11, inputs from 11; Clip(0, ∞) is a plain relu', () => {
    const clip = (opset: number, body: ModelParts['nodes'], inits: ModelParts['initializers'] = []): unknown =>
      kind(imp(classifier(body, inits, 16, opset)), 'relu').map((n) => (n.op.kind === 'relu' ? n.op.max : undefined));
    expect(clip(7, [node('Clip', ['x'], ['h'], { min: { f: 0 }, max: { f: 6 } })])).toEqual([6]);
    expect(clip(9, [node('Clip', ['x'], ['h'], { min: { f: 0 } })])).toEqual([null]);
    expect(clip(11, [node('Clip', ['x', 'zero'], ['h'])], [tensor('zero', [], [0])])).toEqual([null]);
    expect(clip(13, [node('Clip', ['x', 'zero', 'inf'], ['h'])], [tensor('zero', [], [0]), tensor('inf', [], [Infinity])])).toEqual([null]);
    expect(clip(13, [node('Clip', ['x', 'zero', 'six'], ['h'])], [tensor('zero', [], [0]), tensor('six', [], [6])])).toEqual([6]);
    expect(reason(classifier([node('Clip', ['x'], ['h'], {}, 'noMin')], [], 16, 13))).toContain('Clip(min = -3.4028234663852886e+38) is not a ReLU');
  });

  it('Resize nearest: exact pixel repetition is accepted for any coordinate mode that gives it, ×3 with half_pixel included', () => {
    const up = (attrs: Record<string, { s: string }>, scale: number): unknown =>
      kind(imp(classifier([node('Resize', ['x', '', 'sc'], ['h'], { mode: { s: 'nearest' }, ...attrs })], [tensor('sc', [4], [1, 1, scale, scale])], 16 * scale * scale)), 'upsample').map((n) => n.op);
    expect(up({}, 3)).toEqual([{ kind: 'upsample', scales: [3, 3] }]); // half_pixel + round_prefer_floor: repeats
    expect(up({ coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' } }, 3)).toEqual([{ kind: 'upsample', scales: [3, 3] }]);
    expect(up({ coordinate_transformation_mode: { s: 'pytorch_half_pixel' }, nearest_mode: { s: 'round_prefer_ceil' } }, 2)).toEqual([{ kind: 'upsample', scales: [2, 2] }]);
    expect(() => up({ coordinate_transformation_mode: { s: 'tf_half_pixel_for_nn' }, nearest_mode: { s: 'round_prefer_ceil' } }, 2)).toThrow('does not repeat pixels');
    expect(() => up({ coordinate_transformation_mode: { s: 'align_corners' }, nearest_mode: { s: 'floor' } }, 2)).toThrow('does not repeat pixels');
    expect(reason(classifier([node('Resize', ['x', '', 'sc'], ['h'], { mode: { s: 'nearest' } })], [tensor('sc', [4], [1, 1, 1.5, 1.5])], 36))).toContain('is not up-sampling by integer factors');
  });

  it('opset 18: ReduceMean and Pad take axes as inputs', () => {
    const r = imp({
      opset: 18,
      initializers: [ints('axes', [2, 3]), ints('pads', [1, 2]), ints('padAxes', [3]), tensor('fc', [3, 1], [1, 2, 3])],
      nodes: [node('Pad', ['x', 'pads', '', 'padAxes'], ['p']), node('ReduceMean', ['p', 'axes'], ['m'], { keepdims: { i: 0 } }), node('Gemm', ['m', 'fc'], ['y'], { transB: { i: 1 } })],
    });
    expect(r.graph.nodes.map((n) => [n.op.kind, n.shape])).toEqual([['input', [1, 4, 4]], ['pad', [1, 4, 7]], ['globalAvgPool', [1, 1, 1]], ['reshape', [1]], ['dense', [3]]]);
    expect(kind(r, 'pad')[0]?.op).toEqual({ kind: 'pad', pads: [0, 0, 1, 0, 0, 2] });
  });

  it('ceil_mode becomes end padding where padding does not enter the result, and stays where it counts', () => {
    const pool = (op: string, attrs: Record<string, { i: number } | { ints: number[] }>, hw: number, features: number): unknown => {
      const r = imp(classifier([node(op, ['x'], ['h'], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { i: 1 }, ...attrs })], [], features), ['N', 1, hw, hw]);
      const p = r.graph.nodes[1];
      return p?.op.kind === 'maxPool' || p?.op.kind === 'avgPool' ? [p.op.pads, p.op.ceilMode, p.shape] : null;
    };
    // 6 → ⌈(6 − 3) / 2⌉ + 1 = 3 windows, the last one reading one padded column
    expect(pool('MaxPool', {}, 6, 9)).toEqual([[0, 0, 1, 1], false, [1, 3, 3]]);
    expect(pool('AveragePool', {}, 6, 9)).toEqual([[0, 0, 1, 1], false, [1, 3, 3]]);
    expect(pool('AveragePool', { count_include_pad: { i: 1 } }, 6, 9)).toEqual([[0, 0, 0, 0], true, [1, 3, 3]]);
    // 5 + pads 1 + 1 → PyTorch drops the 4th window (it would start in the end padding): floor mode's 3
    expect(pool('MaxPool', { pads: { ints: [1, 1, 1, 1] } }, 5, 9)).toEqual([[1, 1, 1, 1], false, [1, 3, 3]]);
    expect(pool('AveragePool', { pads: { ints: [1, 1, 1, 1] }, count_include_pad: { i: 1 } }, 5, 9)).toEqual([[1, 1, 1, 1], false, [1, 3, 3]]);
  });

  it('Squeeze and Unsqueeze of computed tensors are reshapes that keep the batch axis', () => {
    const r = imp(classifier([node('Unsqueeze', ['x'], ['u'], { axes: { ints: [-1] } }), node('Squeeze', ['u'], ['h'], { axes: { ints: [4] } })], [], 16, 11));
    expect(r.graph.nodes.map((n) => [n.op.kind, n.shape])).toEqual([['input', [1, 4, 4]], ['reshape', [1, 4, 4, 1]], ['reshape', [1, 4, 4]], ['flatten', [16]], ['dense', [3]]]);
    expect(reason(classifier([node('Squeeze', ['x'], ['h'], {}, 'sq')], [], 16, 11))).toContain("node 'sq' (Squeeze): Squeeze without axes would also drop a batch of one");
    expect(reason(classifier([node('Squeeze', ['x', 'ax'], ['h'], {}, 'sq')], [ints('ax', [0])], 16))).toContain('Squeeze of the batch axis');
    expect(reason(classifier([node('Squeeze', ['x', 'ax'], ['h'], {}, 'sq')], [ints('ax', [2])], 16))).toContain('Squeeze of axis 2, which has size 4');
  });

  it('softmax only as the head; a softmax inside the network is refused', () => {
    expect(imp({ ...classifier([node('Relu', ['x'], ['h'])], [], 16), nodes: [node('Relu', ['x'], ['h']), node('Flatten', ['h'], ['f']), node('Gemm', ['f', 'fc'], ['z'], { transB: { i: 1 } }), node('Softmax', ['z'], ['y'], { axis: { i: 1 } })] }).graph.nodes.at(-1)?.op.kind).toBe('softmax');
    const inside = classifier([node('Flatten', ['x'], ['f0']), node('Softmax', ['f0'], ['s'], {}, 'sm'), node('Reshape', ['s', 'shape'], ['h'])], [ints('shape', [0, 1, 4, 4])], 16);
    expect(reason(inside)).toContain("cannot import ONNX node 'sm' (Softmax): a softmax inside the network");
  });
});
