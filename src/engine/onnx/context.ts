// What an op mapper sees of the import in progress: the node, its inputs as constants or computed
// tensors (per-sample shapes), and a builder that appends graph IR nodes.
import type { GraphNode, GraphOp, Weight } from '../ir/graph.js';
import type { Attrs } from './attrs.js';
import type { OnnxNode } from './decode.js';
import { concreteValues, type Const } from './tensor.js';

/** A computed tensor: the IR node that produces it and its per-sample shape (no batch axis). */
export interface TensorValue {
  readonly kind: 'tensor';
  readonly id: string;
  readonly shape: readonly number[];
}

export interface ConstValue {
  readonly kind: 'const';
  readonly c: Const;
}

export type Value = TensorValue | ConstValue;

/** Where a parameter tensor came from (ONNX value name) and how many numbers it holds. */
export interface ParamSource {
  readonly key: string;
  readonly count: number;
}

export interface MapContext {
  readonly node: OnnxNode;
  readonly attrs: Attrs;
  readonly opset: number;
  /** Most values one tensor may hold (per sample for computed tensors). */
  readonly maxElements: number;
  /** The batch size the file fixes on its input, or null when symbolic. */
  readonly fixedBatch: number | null;
  /** Input i: null when omitted (''). */
  input(i: number): Value | null;
  /** Input i as a computed tensor (refuses constants and missing inputs). */
  tensor(i: number): TensorValue;
  /** Input i as a constant, or null when omitted; refuses computed tensors ("must be in the file"). */
  constant(i: number, what: string): Const | null;
  /** How many live nodes (and the graph output) read ONNX value `name`. */
  uses(name: string): number;
  /** How many reads reach IR node `id` so far, over every ONNX value name that stands for it (aliases included). */
  readers(id: string): number;
  /** The IR node with this id (for a bias merged into the layer before). */
  irNode(id: string): GraphNode;
  /** Replaces an IR node's op in place (same id, inputs and shape). */
  replaceOp(id: string, op: GraphOp, params: readonly ParamSource[]): void;
  /** Appends an IR node fed by `inputs`; `suffix` distinguishes extra nodes of one ONNX node. */
  emit(op: GraphOp, inputs: readonly string[], shape: readonly number[], params?: readonly ParamSource[], suffix?: string): TensorValue;
  fail(reason: string): never;
}

/** A constant's values as float32 weights in its own shape. */
export function weightOf(c: Const): Weight {
  return { data: Float32Array.from(c.data), shape: [...c.shape] };
}

/** Integer list of a constant argument (pads, axes, sizes) that must not depend on the batch size. */
export function intsOf(ctx: MapContext, c: Const, what: string): number[] {
  if (c.batch !== null) ctx.fail(`${what} depends on the batch size`);
  return concreteValues(c);
}

/** Name of input i (for parameter bookkeeping). */
export function inputName(ctx: MapContext, i: number): string {
  return ctx.node.inputs[i] ?? '';
}
