// The converter's intermediate representation: a plain, backend-free DAG of ANN operations with
// weights copied out of the tfjs model. One node per *call* of a layer (a layer object applied
// twice gives two nodes), and a ReLU inside a conv/dense becomes its own node: every activation
// site is exactly one `relu` node (design/conversion.md §1).

export type Padding = 'same' | 'valid';
export type Pair = readonly [number, number];

/** A weight array with its tfjs shape (conv [kh,kw,cin,cout], dense [in,out], convT [kh,kw,cout,cin]). */
export interface Weight {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export type GraphOp =
  | { readonly kind: 'input' }
  | {
      readonly kind: 'conv2d';
      readonly kernel: Weight;
      readonly bias: Float32Array | null;
      readonly strides: Pair;
      readonly padding: Padding;
      readonly dilation: Pair;
    }
  | {
      readonly kind: 'conv2dTranspose';
      readonly kernel: Weight;
      readonly bias: Float32Array | null;
      readonly strides: Pair;
      readonly padding: Padding;
    }
  | { readonly kind: 'dense'; readonly kernel: Weight; readonly bias: Float32Array | null }
  | {
      readonly kind: 'batchNorm';
      readonly gamma: Float32Array | null;
      readonly beta: Float32Array | null;
      readonly mean: Float32Array;
      readonly variance: Float32Array;
      readonly epsilon: number;
    }
  | { readonly kind: 'relu' }
  | { readonly kind: 'sigmoid' }
  | { readonly kind: 'softmax' }
  | { readonly kind: 'maxPool'; readonly pool: Pair; readonly strides: Pair; readonly padding: Padding }
  | { readonly kind: 'avgPool'; readonly pool: Pair; readonly strides: Pair; readonly padding: Padding }
  | { readonly kind: 'globalAvgPool' }
  | { readonly kind: 'flatten' }
  | { readonly kind: 'add' }
  | { readonly kind: 'concat' }
  | { readonly kind: 'upsample'; readonly size: Pair; readonly interpolation: 'nearest' | 'bilinear' }
  | { readonly kind: 'zeroPad'; readonly pad: readonly [number, number, number, number] }
  | { readonly kind: 'identity' };

export type OpKind = GraphOp['kind'];
export type LinearOp = Extract<GraphOp, { kind: 'conv2d' | 'conv2dTranspose' | 'dense' }>;

export interface GraphNode {
  /** Unique node id; also the activation-site name for `relu` nodes. */
  readonly id: string;
  /** The tfjs layer that produced the node, and its class (for messages). */
  readonly layer: string;
  readonly className: string;
  readonly op: GraphOp;
  /** Ids of the input nodes, in call order. */
  readonly inputs: readonly string[];
  /** Output shape of one sample (no batch axis), e.g. [H, W, C] or [F]. */
  readonly shape: readonly number[];
}

/** A converted model: nodes in topological order, one input, one output. */
export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly input: string;
  readonly output: string;
}

export function isLinear(op: GraphOp): op is LinearOp {
  return op.kind === 'conv2d' || op.kind === 'conv2dTranspose' || op.kind === 'dense';
}

/** Output channels (last axis) of a node. */
export function channels(node: GraphNode): number {
  return node.shape[node.shape.length - 1] ?? 1;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Map from node id to the ids of the nodes that consume it (in node order). */
export function consumers(graph: Graph): Map<string, string[]> {
  const out = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const n of graph.nodes) for (const i of n.inputs) out.get(i)?.push(n.id);
  return out;
}

export function nodeById(graph: Graph): Map<string, GraphNode> {
  return new Map(graph.nodes.map((n) => [n.id, n]));
}

/** The activation sites (relu nodes) in topological order. */
export function sites(graph: Graph): GraphNode[] {
  return graph.nodes.filter((n) => n.op.kind === 'relu');
}
