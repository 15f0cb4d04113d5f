import { BatchNormFoldError } from '../errors.js';
import { consumers, isLinear, nodeById, type Graph, type GraphNode, type GraphOp, type LinearOp } from './graph.js';

/**
 * Folds every batch-norm into the linear layer (conv2d, dense, conv2d-transpose) that directly
 * precedes it (design/conversion.md §2.1). Per output channel c, with s_c = γ_c / sqrt(var_c + ε):
 *   W'_c = W_c · s_c,   b'_c = (b_c − mean_c) · s_c + β_c   (b = 0 when the layer has no bias).
 * Throws BatchNormFoldError when the BN's input is not a linear layer, or when that layer's output
 * is also used elsewhere (folding would change the other consumer). Returns a new graph; the
 * linear node keeps its id and BN consumers are rewired to it.
 */
export function foldBatchNorm(graph: Graph): Graph {
  const byId = nodeById(graph);
  const users = consumers(graph);
  const replaced = new Map<string, GraphNode>();
  const removed = new Map<string, string>();
  for (const bn of graph.nodes) {
    if (bn.op.kind !== 'batchNorm') continue;
    const srcId = bn.inputs[0] ?? '';
    const src = replaced.get(srcId) ?? byId.get(srcId);
    if (src === undefined || !isLinear(src.op)) {
      const what = src === undefined ? 'nothing' : `'${src.id}' (${src.className}, ${src.op.kind})`;
      throw new BatchNormFoldError(bn.id, `it follows ${what}, not a conv2d/dense/conv2d-transpose layer`);
    }
    const others = (users.get(src.id) ?? []).filter((u) => u !== bn.id);
    if (others.length > 0) {
      throw new BatchNormFoldError(bn.id, `the output of '${src.id}' is also used by ${others.join(', ')}`);
    }
    replaced.set(src.id, { ...src, op: foldInto(src.op, bn.op, bn.id) });
    removed.set(bn.id, src.id);
  }
  if (removed.size === 0) return graph;
  const rename = (id: string): string => removed.get(id) ?? id;
  const nodes = graph.nodes
    .filter((n) => !removed.has(n.id))
    .map((n) => {
      const r = replaced.get(n.id) ?? n;
      return { ...r, inputs: r.inputs.map(rename) };
    });
  return { nodes, input: graph.input, output: rename(graph.output) };
}

function foldInto(op: LinearOp, bn: Extract<GraphOp, { kind: 'batchNorm' }>, id: string): LinearOp {
  const shape = op.kernel.shape;
  // Output-channel axis: conv2d [kh,kw,cin,cout] → 3, dense [in,out] → 1, convT [kh,kw,cout,cin] → 2.
  const axis = op.kind === 'conv2dTranspose' ? 2 : shape.length - 1;
  const cout = shape[axis] ?? 0;
  if (bn.mean.length !== cout) {
    throw new BatchNormFoldError(id, `it has ${bn.mean.length} channels but the preceding layer has ${cout}`);
  }
  const scale = new Float32Array(cout);
  const bias = new Float32Array(cout);
  for (let c = 0; c < cout; c++) {
    const s = (bn.gamma?.[c] ?? 1) / Math.sqrt((bn.variance[c] ?? 0) + bn.epsilon);
    scale[c] = s;
    bias[c] = ((op.bias?.[c] ?? 0) - (bn.mean[c] ?? 0)) * s + (bn.beta?.[c] ?? 0);
  }
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = new Float32Array(op.kernel.data.length);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % cout;
    data[i] = (op.kernel.data[i] ?? 0) * (scale[c] ?? 1);
  }
  return { ...op, kernel: { data, shape }, bias };
}
