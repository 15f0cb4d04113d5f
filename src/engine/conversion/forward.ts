import * as tf from '@tensorflow/tfjs-core';
import { consumers, isLinear, nodeById, type Graph, type GraphNode } from './graph.js';
import { disposeLinear, linearForward, statelessForward, uploadLinear, type LinearParams } from './ops.js';

/**
 * The (folded) ANN as plain tf ops over the graph: used for calibration, for the benchmark's ANN
 * forward, and to check batch-norm folding. A linear layer whose only consumer is a ReLU site runs
 * with the ReLU fused. Owns its weight tensors: call dispose().
 */
export class AnnExecutor {
  private readonly params = new Map<string, LinearParams>();
  private readonly users: Map<string, string[]>;
  private readonly byId: Map<string, GraphNode>;

  constructor(readonly graph: Graph) {
    this.users = consumers(graph);
    this.byId = nodeById(graph);
    for (const n of graph.nodes) if (isLinear(n.op)) this.params.set(n.id, uploadLinear(n.op));
  }

  /**
   * y = ANN(x). `onSite(id, a)` sees each activation site's post-ReLU output (the tensor is only
   * valid during the call). Intermediates are freed as soon as their last consumer ran.
   */
  forward(x: tf.Tensor, onSite?: (site: string, a: tf.Tensor) => void): tf.Tensor {
    const values = new Map<string, tf.Tensor>();
    const left = new Map<string, number>();
    const release = (id: string): void => {
      const k = (left.get(id) ?? 0) - 1;
      left.set(id, k);
      if (k <= 0 && id !== this.graph.output) values.get(id)?.dispose();
    };
    for (const n of this.graph.nodes) {
      left.set(n.id, (this.users.get(n.id) ?? []).length);
      let y: tf.Tensor;
      if (n.op.kind === 'input') {
        y = tf.clone(x);
      } else if (isLinear(n.op)) {
        const u = this.users.get(n.id) ?? [];
        const fuse = u.length === 1 && this.byId.get(u[0] ?? '')?.op.kind === 'relu';
        y = linearForward(n, n.op, values.get(n.inputs[0] ?? '') as tf.Tensor, this.params.get(n.id) as LinearParams, fuse ? 'relu' : 'linear');
      } else if (n.op.kind === 'relu' && this.isFused(n.inputs[0] ?? '')) {
        y = tf.clone(values.get(n.inputs[0] ?? '') as tf.Tensor);
      } else if (n.op.kind === 'batchNorm') {
        const op = n.op;
        y = tf.tidy(() => {
          const xin = values.get(n.inputs[0] ?? '') as tf.Tensor;
          const g = op.gamma === null ? undefined : tf.tensor1d(op.gamma);
          const b = op.beta === null ? undefined : tf.tensor1d(op.beta);
          return tf.batchNorm(xin, tf.tensor1d(op.mean), tf.tensor1d(op.variance), b, g, op.epsilon);
        });
      } else {
        y = statelessForward(n, n.inputs.map((i) => values.get(i) as tf.Tensor));
      }
      values.set(n.id, y);
      if (n.op.kind === 'relu') onSite?.(n.id, y);
      for (const i of n.inputs) release(i);
      if ((this.users.get(n.id) ?? []).length === 0 && n.id !== this.graph.output) y.dispose();
    }
    return values.get(this.graph.output) as tf.Tensor;
  }

  private isFused(id: string): boolean {
    const u = this.users.get(id) ?? [];
    const src = this.byId.get(id);
    return src !== undefined && isLinear(src.op) && u.length === 1;
  }

  dispose(): void {
    for (const p of this.params.values()) disposeLinear(p);
    this.params.clear();
  }
}
