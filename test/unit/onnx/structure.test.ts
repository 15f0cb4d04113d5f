// PyTorch-exported ONNX files → graph IR v2: structure, and the description derived from the graph
// against what make_onnx_fixtures.py computed independently (torch's parameter count, MACs from
// forward hooks, ReLU calls).
import type { GraphNode, GraphOp, OpKind } from '../../../src/engine/ir/graph.js';
import { OnnxShapeError, importOnnx, type OnnxImport } from '../../../src/engine/onnx/index.js';
import { fixture, IMPORTABLE } from './fixtures.js';

function load(name: string): OnnxImport {
  const f = fixture(name);
  return importOnnx(f.bytes, f.dynamicHW ? { inputShape: f.inputShape } : {});
}

function kinds(r: OnnxImport): OpKind[] {
  return r.graph.nodes.map((n) => n.op.kind);
}

function only<K extends OpKind>(r: OnnxImport, kind: K): (GraphNode & { op: Extract<GraphOp, { kind: K }> })[] {
  return r.graph.nodes.filter((n) => n.op.kind === kind) as (GraphNode & { op: Extract<GraphOp, { kind: K }> })[];
}

describe('derived description equals the export script’s independent figures', () => {
  it.each(IMPORTABLE)('%s', (name) => {
    const f = fixture(name);
    const r = load(name);
    expect(r.inputShape).toEqual(f.inputShape);
    expect(r.inputLayout).toBe('NCHW');
    expect(r.task).toBe(f.task);
    expect(r.numClasses).toBe(f.numClasses);
    expect(r.family).toBe(f.family);
    expect(r.parameterCount).toBe(f.parameterCount);
    expect(r.macs).toBe(f.macs);
    expect(r.reluSites).toBe(f.reluSites);
    expect(r.opset).toBe(f.opset);
    expect(r.outputShape).toEqual(f.output.shape.slice(1));
    // every node's inputs precede it (topological order) and ids are unique
    const seen = new Set<string>();
    for (const n of r.graph.nodes) {
      for (const i of n.inputs) expect(seen.has(i)).toBe(true);
      expect(seen.has(n.id)).toBe(false);
      seen.add(n.id);
    }
    expect(r.graph.nodes.at(-1)?.id).toBe(r.graph.output);
  });

  it('unfolded BN exports count γ and β as PyTorch does (running statistics excluded)', () => {
    for (const name of ['vgg_o17_bn', 'legacy_ops_o11', 'resnet_o11_bn']) expect(load(name).parameterCount).toBe(fixture(name).torchParameterCount);
  });
});

describe('structure of the imported graphs', () => {
  it('VGG (folded BN): conv/relu stacks, max-pools (ceil_mode as explicit end padding), the view(x.size(0), -1) chain as one reshape, dropout gone', () => {
    const r = load('vgg_o13');
    expect(kinds(r)).toEqual([
      'input', 'conv', 'relu', 'conv', 'relu', 'maxPool', 'conv', 'relu', 'conv', 'relu', 'maxPool', 'reshape', 'dense', 'relu', 'dense',
    ]);
    const pools = only(r, 'maxPool');
    // MaxPool2d(2, ceil_mode=True) on 5×5 → 3×3: the third window reads row/column 4 and one padded
    // row/column, so the IR says so with pads instead of a rounding mode
    expect(pools.map((p) => [p.op.kernel, p.op.strides, p.op.pads, p.op.ceilMode, p.shape])).toEqual([
      [[2, 2], [2, 2], [0, 0, 0, 0], false, [8, 5, 5]],
      [[2, 2], [2, 2], [0, 0, 1, 1], false, [16, 3, 3]],
    ]);
    for (const c of only(r, 'conv')) {
      expect(c.op.pads).toEqual([1, 1, 1, 1]);
      expect(c.op.bias).not.toBeNull(); // the exporter folded each BN into its conv
    }
    expect(only(r, 'reshape')[0]?.op.shape).toEqual([144]);
    expect(only(r, 'dense').map((d) => d.op.weight.shape)).toEqual([[24, 144], [5, 24]]);
  });

  it('VGG (unfolded BN, opset 17): a batchNorm right after each conv, with the file’s statistics', () => {
    const r = load('vgg_o17_bn');
    const bns = only(r, 'batchNorm');
    expect(bns).toHaveLength(4);
    const byId = new Map(r.graph.nodes.map((n) => [n.id, n]));
    for (const bn of bns) {
      expect(byId.get(bn.inputs[0] ?? '')?.op.kind).toBe('conv');
      expect(bn.op.epsilon).toBeCloseTo(1e-5, 9);
      expect(Array.from(bn.op.variance).every((v) => v >= 0.5 && v <= 2)).toBe(true); // randomised running_var
    }
    expect(only(r, 'conv')[0]?.op.bias).toBeNull(); // nn.Conv2d(bias=False)
  });

  it('ResNet: the block’s one nn.ReLU module applied twice is two relu nodes (two activation sites)', () => {
    const r = load('resnet_o17');
    const relus = only(r, 'relu');
    expect(relus).toHaveLength(9);
    expect(new Set(relus.map((n) => n.id)).size).toBe(9);
    const block = relus.filter((n) => n.layer.startsWith('/layer1/layer1.0/'));
    expect(block.map((n) => n.layer)).toEqual(['/layer1/layer1.0/relu/Relu', '/layer1/layer1.0/relu_1/Relu']);
    // the second application reads the residual sum; the sum reads the block input and conv2
    const adds = only(r, 'add');
    expect(adds).toHaveLength(4);
    expect(block[1]?.inputs).toEqual([adds[0]?.id]);
    expect(adds[0]?.inputs).toEqual(['/layer1/layer1.0/conv2/Conv', '/relu/Relu']);
    const down = r.graph.nodes.find((n) => n.layer === '/layer2/layer2.0/down/down.0/Conv');
    expect(down?.op.kind === 'conv' && [down.op.strides, down.op.pads, down.op.weight.shape]).toEqual([[2, 2], [0, 0, 0, 0], [16, 8, 1, 1]]);
    expect(kinds(r).slice(-3)).toEqual(['globalAvgPool', 'flatten', 'dense']);
  });

  it('ResNet (opset 11, mean pooling): ReduceMean over H, W without keepdims is a global average pool + reshape', () => {
    const r = load('resnet_o11_bn');
    expect(kinds(r).slice(-4)).toEqual(['relu', 'globalAvgPool', 'reshape', 'dense']);
    expect(only(r, 'batchNorm')).toHaveLength(10); // stem, 2 per block × 4, the downsample's
  });

  it('UNet: conv-transpose and nearest resize (the size=s0.shape[2:] arithmetic folded), channel concat skips, sigmoid head', () => {
    for (const name of ['unet_o13', 'unet_o13_dynhw']) {
      const r = load(name);
      const [up] = only(r, 'convTranspose');
      expect(up && [up.op.strides, up.op.pads, up.op.outputPadding, up.op.weight.shape, up.shape]).toEqual([[2, 2], [0, 0, 0, 0], [0, 0], [16, 8, 2, 2], [8, 8, 8]]);
      expect(only(r, 'upsample').map((n) => [n.op.scales, n.shape])).toEqual([[[2, 2], [4, 16, 16]]]);
      expect(only(r, 'concat').map((n) => [n.op.axis, n.shape])).toEqual([[0, [16, 8, 8]], [0, [8, 16, 16]]]);
      expect(r.graph.nodes.at(-1)?.op.kind).toBe('sigmoid');
      expect(r.outputShape).toEqual([1, 16, 16]);
    }
  });

  it('opset 11 legacy ops: dilated conv, F.pad, padded pools, MatMul + Add merged into one dense, BN after a linear layer, softmax head', () => {
    const r = load('legacy_ops_o11');
    const [c1, c2] = only(r, 'conv');
    expect(c1 && [c1.op.dilations, c1.op.pads, c1.shape]).toEqual([[2, 2], [2, 2, 2, 2], [6, 13, 13]]);
    expect(c2 && [c2.op.strides, c2.shape]).toEqual([[2, 2], [8, 6, 6]]);
    expect(only(r, 'pad').map((n) => [n.op.pads, n.shape])).toEqual([[[0, 0, 0, 0, 1, 1], [6, 14, 14]]]); // F.pad(x, (0, 1, 0, 1))
    expect(only(r, 'relu').map((n) => n.op.max)).toEqual([6, null, null, null]);
    const [mp] = only(r, 'maxPool');
    expect(mp && [mp.op.kernel, mp.op.strides, mp.op.pads, mp.shape]).toEqual([[3, 3], [2, 2], [1, 1, 1, 1], [8, 3, 3]]);
    const [ap] = only(r, 'avgPool');
    // ceil_mode's last window would start in the end padding, so PyTorch drops it: 2×2, not 3×3 (ONNX
    // Runtime 1.30 keeps it and cannot load this export); 2×2 is what floor mode gives, so no ceil_mode
    expect(ap && [ap.op.pads, ap.op.ceilMode, ap.op.countIncludePad, ap.shape]).toEqual([[1, 1, 1, 1], false, false, [8, 2, 2]]);
    const dense = only(r, 'dense');
    expect(dense.map((d) => [d.op.weight.shape, d.op.bias?.length])).toEqual([[[10, 32], 10], [[4, 10], 4]]);
    expect(r.graph.nodes.find((n) => n.inputs[0] === dense[0]?.id)?.op.kind).toBe('batchNorm');
    expect(r.graph.nodes.at(-1)?.op.kind).toBe('softmax');
  });

  it('opset 9: Clip with min/max attributes is a relu capped at 6; Upsample is a ×2 upsample', () => {
    const r = load('legacy_o9');
    expect(only(r, 'relu').map((n) => n.op.max)).toEqual([6, null]);
    expect(only(r, 'upsample').map((n) => n.op.scales)).toEqual([[2, 2]]);
  });
});

describe('input shape and class count from the caller', () => {
  it('symbolic H and W need inputShape; the shape arithmetic then resolves for that size', () => {
    const f = fixture('unet_o13_dynhw');
    expect(() => importOnnx(f.bytes)).toThrow(OnnxShapeError);
    expect(() => importOnnx(f.bytes)).toThrow("the model input 'image' leaves H symbolic ('height'); give the input shape [C, H, W]");
    const r = importOnnx(f.bytes, { inputShape: [1, 24, 32] });
    expect(r.outputShape).toEqual([1, 24, 32]);
    expect(only(r, 'upsample')[0]?.shape).toEqual([4, 24, 32]);
  });

  it('an inputShape or numClasses that contradicts the graph is refused', () => {
    const f = fixture('vgg_o13');
    expect(() => importOnnx(f.bytes, { inputShape: [3, 12, 12] })).toThrow('inputShape [3, 12, 12] disagrees with the model input \'image\', whose H is fixed at 11');
    expect(() => importOnnx(f.bytes, { inputShape: [3, 11] })).toThrow(OnnxShapeError);
    expect(() => importOnnx(f.bytes, { numClasses: 10 })).toThrow('numClasses 10 disagrees with the graph, whose output gives 5');
    expect(importOnnx(f.bytes, { inputShape: [3, 11, 11], numClasses: 5 }).numClasses).toBe(5);
  });
});
