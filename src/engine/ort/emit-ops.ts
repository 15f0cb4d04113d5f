// IR v2 operations as ONNX nodes (opset 13). Per-sample axes of the IR become axis + 1 (the batch
// axis leads); weights and pads keep their ONNX layout, so most ops map one to one.
import type { GraphNode, GraphOp, LinearOp, Weight } from '../ir/graph.js';
import type { OnnxGraph } from './proto.js';

/** Weights of a linear op as ONNX initializers (optionally replaced, e.g. rescaled for the SNN). */
export interface LinearParams {
  readonly weight: Weight;
  readonly bias: Float32Array | null;
}

/**
 * y = W ⊛ x + b for conv, convTranspose and dense (Gemm with transB = 1 on [N, F]), with the
 * node's own weights or `params`. Returns the output value name.
 */
export function emitLinear(g: OnnxGraph, node: GraphNode, op: LinearOp, x: string, params: LinearParams = op): string {
  const w = g.shared(`${node.id}.weight`, () => g.constant(params.weight.data, params.weight.shape, `${node.id}.weight`));
  const bias = params.bias;
  const ins = bias === null ? [x, w] : [x, w, g.shared(`${node.id}.bias`, () => g.constant(bias, [bias.length], `${node.id}.bias`))];
  switch (op.kind) {
    case 'conv':
      return g.op('Conv', ins, {
        kernel_shape: params.weight.shape.slice(2),
        strides: op.strides,
        pads: op.pads,
        dilations: op.dilations,
        group: 1,
      });
    case 'convTranspose':
      return g.op('ConvTranspose', ins, {
        kernel_shape: params.weight.shape.slice(2),
        strides: op.strides,
        pads: op.pads,
        output_padding: op.outputPadding,
        dilations: op.dilations,
        group: 1,
      });
    case 'dense':
      return g.op('Gemm', ins, { transB: 1 });
  }
}

/**
 * Every op that is the same in the ANN and the SNN (pools, reshapes, adds, concat, pad, upsample,
 * identity) plus the ANN-only non-linearities (relu, batchNorm, sigmoid, softmax).
 */
export function emitStateless(g: OnnxGraph, node: GraphNode, xs: readonly string[]): string {
  const op: GraphOp = node.op;
  const x = xs[0] as string;
  switch (op.kind) {
    case 'relu':
      return op.max === null ? g.op('Relu', [x]) : g.op('Clip', [x, g.scalar(0), g.scalar(op.max)]);
    case 'sigmoid':
      return g.op('Sigmoid', [x]);
    case 'softmax':
      return g.op('Softmax', [x], { axis: 1 });
    case 'batchNorm': {
      const c = op.mean.length;
      const p = (a: Float32Array, what: string): string => g.shared(`${node.id}.${what}`, () => g.constant(a, [c], `${node.id}.${what}`));
      return g.op('BatchNormalization', [x, p(op.scale, 'scale'), p(op.bias, 'bias'), p(op.mean, 'mean'), p(op.variance, 'var')], { epsilon: { float: op.epsilon } });
    }
    case 'maxPool':
      return g.op('MaxPool', [x], { kernel_shape: op.kernel, strides: op.strides, pads: op.pads, dilations: op.dilations, ceil_mode: op.ceilMode ? 1 : 0 });
    case 'avgPool':
      return g.op('AveragePool', [x], {
        kernel_shape: op.kernel,
        strides: op.strides,
        pads: op.pads,
        ceil_mode: op.ceilMode ? 1 : 0,
        count_include_pad: op.countIncludePad ? 1 : 0,
      });
    case 'globalAvgPool':
      return g.op('GlobalAveragePool', [x]);
    case 'flatten':
      return g.op('Flatten', [x], { axis: 1 });
    case 'reshape':
      return g.op('Reshape', [x, g.shared(`${node.id}.shape`, () => g.int64s([-1, ...op.shape], `${node.id}.shape`))]);
    case 'transpose':
      return g.op('Transpose', [x], { perm: [0, ...op.perm.map((p) => p + 1)] });
    case 'add':
      return xs.length === 1 ? g.op('Identity', [x]) : xs.length === 2 ? g.op('Add', [x, xs[1] as string]) : g.op('Sum', xs);
    case 'concat':
      return g.op('Concat', xs, { axis: op.axis + 1 });
    case 'pad': {
      const r = op.pads.length / 2;
      const pads = [0, ...op.pads.slice(0, r), 0, ...op.pads.slice(r)];
      return g.op('Pad', [x, g.shared(`${node.id}.pads`, () => g.int64s(pads, `${node.id}.pads`)), g.scalar(0)], { mode: 'constant' });
    }
    case 'upsample': {
      const scales = g.shared(`${node.id}.scales`, () => g.constant(Float32Array.of(1, 1, op.scales[0], op.scales[1]), [4], `${node.id}.scales`));
      return g.op('Resize', [x, '', scales], {
        mode: 'nearest',
        coordinate_transformation_mode: 'asymmetric',
        nearest_mode: 'floor',
      });
    }
    case 'identity':
      return g.op('Identity', [x]);
    case 'analog':
      return g.inline(op.head.model, op.head.opset, x, node.id);
    case 'input':
    case 'conv':
    case 'convTranspose':
    case 'dense':
      throw new Error(`emitStateless: '${node.id}' is a ${op.kind} node`);
  }
}
