// What the burst-spike conversion (design/conversion.md §1–2) needs of a graph, checked at import so
// that a model the converter would refuse is never stored.
import { consumers, isLinear, nodeById, type Graph, type GraphNode } from '../ir/graph.js';
import { OnnxFormatError, OnnxUnsupportedError } from './errors.js';

function refuse(n: GraphNode, reason: string): never {
  throw new OnnxUnsupportedError(n.layer, n.className, reason);
}

/**
 * Sigmoid and softmax only as the output head (inside the network they are not ReLU sites the SNN
 * can spike through); every batch-norm directly after a conv, conv-transpose or dense layer whose only
 * reader it is (so it folds into that layer); the output is computed from the input.
 */
export function checkConvertible(graph: Graph): void {
  const byId = nodeById(graph);
  const users = consumers(graph);
  if (graph.output === graph.input) throw new OnnxUnsupportedError(graph.input, 'input', 'the model output is its input');
  for (const n of graph.nodes) {
    const kind = n.op.kind;
    if ((kind === 'sigmoid' || kind === 'softmax') && n.id !== graph.output) {
      refuse(n, `a ${kind} inside the network (not the model's output): the SNN method converts ReLU activations only; sigmoid and softmax are supported as the output head`);
    }
    if (kind === 'analog' && n.id !== graph.output) refuse(n, "an analog head inside the network (not the model's output)");
    if (kind === 'batchNorm') {
      const prev = byId.get(n.inputs[0] ?? '') as GraphNode;
      if (!isLinear(prev.op)) refuse(n, `it follows ${prev.className} '${prev.layer}', not a Conv, ConvTranspose or linear layer: the conversion folds every batch-norm into the layer right before it`);
      if ((users.get(prev.id) ?? []).length !== 1) refuse(n, `the output of '${prev.layer}' before it is also read elsewhere, so the batch-norm cannot be folded into it`);
    }
  }
}

/** Every weight, bias and batch-norm parameter is a finite number (a NaN would poison every output). */
export function checkFinite(graph: Graph): void {
  for (const n of graph.nodes) {
    const op = n.op;
    const arrays: [string, Float32Array | null][] =
      op.kind === 'conv' || op.kind === 'convTranspose' || op.kind === 'dense' ? [['weight', op.weight.data], ['bias', op.bias]]
        : op.kind === 'batchNorm' ? [['scale', op.scale], ['bias', op.bias], ['mean', op.mean], ['variance', op.variance]]
          : [];
    for (const [what, a] of arrays) {
      if (a !== null && !a.every(Number.isFinite)) throw new OnnxFormatError(`node '${n.layer}' (${n.className}): its ${what} holds NaN or infinite values`);
    }
    if (op.kind === 'batchNorm' && !(Number.isFinite(op.epsilon) && op.variance.every((v) => v + op.epsilon > 0))) {
      throw new OnnxFormatError(`node '${n.layer}' (${n.className}): variance + epsilon is not positive`);
    }
  }
}
