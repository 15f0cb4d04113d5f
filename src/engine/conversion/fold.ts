import { BatchNormFoldError } from '../errors.js';
import { consumers, isLinear, nodeById, type Graph, type GraphNode, type GraphOp, type LinearOp } from '../ir/graph.js';

/**
 * Folds every batch-norm into the linear layer (conv, dense, conv-transpose) that directly
 * precedes it (design/conversion.md §2.1). Per output channel c, with s_c = γ_c / √(var_c + ε):
 *   W'_c = W_c · s_c,   b'_c = (b_c − mean_c) · s_c + β_c   (b = 0 when the layer has no bias).
 * The output channel is axis 0 of conv [O, I, kh, kw] and dense [out, in] weights, axis 1 of
 * conv-transpose [I, O, kh, kw] weights. Throws BatchNormFoldError when the BN's input is not a
 * linear layer, or when that layer's output is also used elsewhere (folding would change the
 * other consumer). Returns a new graph; the linear node keeps its id and BN consumers are rewired.
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
      throw new BatchNormFoldError(bn.id, `it follows ${what}, not a conv/dense/conv-transpose layer`);
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
  const shape = op.weight.shape;
  const axis = op.kind === 'convTranspose' ? 1 : 0;
  const cout = shape[axis] ?? 0;
  if (bn.mean.length !== cout) {
    throw new BatchNormFoldError(id, `it has ${bn.mean.length} channels but the preceding layer has ${cout}`);
  }
  const scale = new Float32Array(cout);
  const bias = new Float32Array(cout);
  for (let c = 0; c < cout; c++) {
    const s = (bn.scale[c] as number) / Math.sqrt((bn.variance[c] as number) + bn.epsilon);
    scale[c] = s;
    bias[c] = ((op.bias?.[c] ?? 0) - (bn.mean[c] as number)) * s + (bn.bias[c] as number);
  }
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = new Float32Array(op.weight.data.length);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % cout;
    data[i] = (op.weight.data[i] as number) * (scale[c] as number);
  }
  return { ...op, weight: { data, shape }, bias };
}
