// What the registry stores about an imported model, derived from its graph alone.
import type { ModelFamily } from '../../formats/model.js';
import { nodeById, type Graph, type GraphNode } from '../ir/graph.js';
import { OnnxShapeError } from './errors.js';

/**
 * Family from the structure: up-sampling (upsample or conv-transpose) together with a concat skip →
 * 'encoder-decoder'; otherwise a sum of two computed tensors (residual add) → 'residual'; else 'plain'.
 */
export function deriveFamily(graph: Graph): ModelFamily {
  const kinds = new Set(graph.nodes.map((n) => n.op.kind));
  if ((kinds.has('upsample') || kinds.has('convTranspose')) && kinds.has('concat')) return 'encoder-decoder';
  if (kinds.has('add')) return 'residual';
  return 'plain';
}

export interface DerivedTask {
  readonly task: 'classification' | 'segmentation';
  /** Classes of a classifier; 1 for binary segmentation (the ModelSpec convention). */
  readonly numClasses: number;
}

/** Classification for [classes] outputs (≥ 2), segmentation for a [1, H, W] output behind a sigmoid head. */
export function deriveTask(graph: Graph, numClasses: number | undefined): DerivedTask {
  const out = nodeById(graph).get(graph.output) as GraphNode;
  const s = out.shape;
  let derived: DerivedTask;
  if (s.length === 1 && (s[0] as number) >= 2) {
    derived = { task: 'classification', numClasses: s[0] as number };
  } else if (s.length === 3 && s[0] === 1 && out.op.kind === 'sigmoid') {
    derived = { task: 'segmentation', numClasses: 1 };
  } else {
    throw new OnnxShapeError(
      `the model's output has per-sample shape [${s.join(', ')}]${out.op.kind === 'sigmoid' ? '' : ` after ${out.className}`}; Spikelab imports classifiers (output [batch, classes]) and binary segmentation models (output [batch, 1, H, W] behind a Sigmoid)`,
    );
  }
  if (numClasses !== undefined && numClasses !== derived.numClasses) {
    throw new OnnxShapeError(`numClasses ${numClasses} disagrees with the graph, whose output gives ${derived.numClasses}`);
  }
  return derived;
}

