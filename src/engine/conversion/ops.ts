import * as tf from '@tensorflow/tfjs-core';
import type { GraphNode, LinearOp, Weight } from './graph.js';

/** Device copies of one linear layer's weights (folded and, for the SNN, rescaled). */
export interface LinearParams {
  readonly kernel: tf.Tensor;
  readonly bias: tf.Tensor1D | null;
}

/** Uploads a linear op's kernel and bias, optionally replaced by rescaled copies. */
export function uploadLinear(op: LinearOp, kernel: Weight = op.kernel, bias: Float32Array | null = op.bias): LinearParams {
  return {
    kernel: tf.tensor(kernel.data, kernel.shape.slice()),
    bias: bias === null ? null : tf.tensor1d(bias),
  };
}

export function disposeLinear(p: LinearParams): void {
  p.kernel.dispose();
  p.bias?.dispose();
}

/**
 * y = W ⊛ x + b for conv2d, conv2d-transpose and dense (dense acts on the last axis), with an
 * optionally fused ReLU. Uses tfjs' fused kernels where they exist so bias/activation cost no pass.
 */
export function linearForward(
  node: GraphNode,
  op: LinearOp,
  x: tf.Tensor,
  p: LinearParams,
  activation: 'linear' | 'relu' = 'linear',
): tf.Tensor {
  const bias = p.bias ?? undefined;
  switch (op.kind) {
    case 'conv2d':
      return tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: p.kernel as tf.Tensor4D,
        strides: op.strides as [number, number],
        pad: op.padding,
        dilations: op.dilation as [number, number],
        bias,
        activation,
      });
    case 'dense': {
      const inDim = p.kernel.shape[0] ?? 0;
      if (x.rank === 2) return tf.fused.matMul({ a: x, b: p.kernel, bias, activation });
      return tf.tidy(() => {
        const y = tf.fused.matMul({ a: tf.reshape<tf.Rank.R2>(x, [-1, inDim]), b: p.kernel, bias, activation });
        return tf.reshape(y, [x.shape[0] ?? -1, ...node.shape]);
      });
    }
    case 'conv2dTranspose':
      return tf.tidy(() => {
        const [h, w, c] = node.shape as [number, number, number];
        let y: tf.Tensor = tf.conv2dTranspose(x as tf.Tensor4D, p.kernel as tf.Tensor4D, [x.shape[0] ?? 1, h, w, c], op.strides as [number, number], op.padding);
        if (p.bias !== null) y = tf.add(y, p.bias);
        return activation === 'relu' ? tf.relu(y) : y;
      });
  }
}

/**
 * The stateless, non-linear-layer ops, identical in ANN and SNN: pools (max only for the ANN),
 * flatten, add, concat, upsample, zero padding, identity, relu, sigmoid, softmax.
 */
export function statelessForward(node: GraphNode, xs: readonly tf.Tensor[]): tf.Tensor {
  const x = xs[0] as tf.Tensor;
  const op = node.op;
  switch (op.kind) {
    case 'maxPool':
      return tf.maxPool(x as tf.Tensor4D, op.pool as [number, number], op.strides as [number, number], op.padding);
    case 'avgPool':
      return tf.avgPool(x as tf.Tensor4D, op.pool as [number, number], op.strides as [number, number], op.padding);
    case 'globalAvgPool':
      return tf.mean(x, [1, 2]);
    case 'flatten':
      return tf.reshape(x, [x.shape[0] ?? -1, -1]);
    case 'add':
      return xs.length === 1 ? tf.clone(x) : xs.length === 2 ? tf.add(x, xs[1] as tf.Tensor) : tf.addN(xs.slice());
    case 'concat':
      return tf.concat(xs.slice(), -1);
    case 'upsample': {
      const [h, w] = node.shape as [number, number, number];
      return op.interpolation === 'nearest'
        ? tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [h, w])
        : tf.image.resizeBilinear(x as tf.Tensor4D, [h, w]);
    }
    case 'zeroPad': {
      const [t, b, l, r] = op.pad;
      return tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
    }
    case 'identity':
      return tf.clone(x);
    case 'relu':
      return tf.relu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softmax':
      return tf.softmax(x);
    case 'input':
    case 'conv2d':
    case 'conv2dTranspose':
    case 'dense':
    case 'batchNorm':
      throw new Error(`statelessForward: '${node.id}' is a ${op.kind} op`);
  }
}
