// The engine's graph IR (version 2): the hub between every way a model comes in (tfjs-layers zoo
// models, PyTorch state_dicts mapped onto the zoo, ONNX files of any architecture) and every way it
// is executed (ONNX Runtime graphs for the ANN, calibration and the SNN step; ONNX export).
//
// Conventions are ONNX's, so that import and emission are direct and explicit:
// - Layout is NCHW. Shapes are per sample, *without* the batch axis: [C, H, W] for feature maps,
//   [F] for vectors. Every axis number, permutation and pad list below is per sample too (axis 0 =
//   channels of a feature map); the batch axis is implicit and never moves.
// - Weights keep ONNX/PyTorch layouts: conv [O, I, kh, kw], conv-transpose [I, O, kh, kw],
//   dense [out, in] (y = x·Wᵀ + b, like PyTorch's nn.Linear and ONNX Gemm with transB = 1).
// - 2-D pads are [top, left, bottom, right] (ONNX's [x1_begin, x2_begin, x1_end, x2_end]).
// - One node per *application* of an operation: every activation site is exactly one `relu` node,
//   whatever module object produced it (design/conversion.md §1).
// - Shapes are fully known (no symbolic dimension besides the batch); importers resolve them.

export type Pair = readonly [number, number];
/** [top, left, bottom, right]. */
export type Pads = readonly [number, number, number, number];

/** A constant tensor in ONNX layout (row-major). */
export interface Weight {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export type GraphOp =
  | { readonly kind: 'input' }
  /** 2-D convolution, groups = 1. weight [O, I, kh, kw]. */
  | {
      readonly kind: 'conv';
      readonly weight: Weight;
      readonly bias: Float32Array | null;
      readonly strides: Pair;
      readonly pads: Pads;
      readonly dilations: Pair;
    }
  /** 2-D transposed convolution, groups = 1. weight [I, O, kh, kw]; ONNX output-size rule with pads and outputPadding. */
  | {
      readonly kind: 'convTranspose';
      readonly weight: Weight;
      readonly bias: Float32Array | null;
      readonly strides: Pair;
      readonly pads: Pads;
      readonly outputPadding: Pair;
      readonly dilations: Pair;
    }
  /** Fully connected on a [F] input: y = x·Wᵀ + b, weight [out, in]. */
  | { readonly kind: 'dense'; readonly weight: Weight; readonly bias: Float32Array | null }
  /** Inference batch-norm over axis 0 (channels): y = scale·(x − mean)/√(var + ε) + bias. */
  | {
      readonly kind: 'batchNorm';
      readonly scale: Float32Array;
      readonly bias: Float32Array;
      readonly mean: Float32Array;
      readonly variance: Float32Array;
      readonly epsilon: number;
    }
  /** An activation site: max(x, 0), or min(max(x, 0), max) for Clip(0, max). */
  | { readonly kind: 'relu'; readonly max: number | null }
  /** Heads only (the graph's output node). */
  | { readonly kind: 'sigmoid' }
  | { readonly kind: 'softmax' }
  | {
      readonly kind: 'maxPool';
      readonly kernel: Pair;
      readonly strides: Pair;
      readonly pads: Pads;
      readonly dilations: Pair;
      readonly ceilMode: boolean;
    }
  | {
      readonly kind: 'avgPool';
      readonly kernel: Pair;
      readonly strides: Pair;
      readonly pads: Pads;
      readonly ceilMode: boolean;
      /** Padded zeros count in the divisor (ONNX count_include_pad; tfjs 'same' pooling does not). */
      readonly countIncludePad: boolean;
    }
  /** [C, H, W] → [C, 1, 1] (ONNX keeps the spatial axes; a flatten usually follows). */
  | { readonly kind: 'globalAvgPool' }
  /** Any per-sample shape → [size] in row-major order of that shape (ONNX Flatten, axis 1). */
  | { readonly kind: 'flatten' }
  /** Row-major reshape to a fully resolved per-sample shape. */
  | { readonly kind: 'reshape'; readonly shape: readonly number[] }
  /** Per-sample axis permutation (the batch axis stays first). */
  | { readonly kind: 'transpose'; readonly perm: readonly number[] }
  /** Element-wise sum of two or more inputs of identical shape (residual add, ONNX Add/Sum). */
  | { readonly kind: 'add' }
  /** Concatenation along a per-sample axis (0 = channels for UNet skips). */
  | { readonly kind: 'concat'; readonly axis: number }
  /** Constant-zero padding: pads = [begin_0 … begin_{r−1}, end_0 … end_{r−1}] over the per-sample axes. */
  | { readonly kind: 'pad'; readonly pads: readonly number[] }
  /** Nearest-neighbour up-sampling of H and W by integer factors. */
  | { readonly kind: 'upsample'; readonly scales: Pair }
  | { readonly kind: 'identity' }
  /**
   * Hybrid models only, the graph's output node: the ops after the last activation site that no
   * spiking neuron computes (e.g. CLIP's attention pooling), kept as an ONNX model that ONNX Runtime
   * evaluates: in the ANN on the site's value, in the SNN each step on its running mean.
   */
  | { readonly kind: 'analog'; readonly head: AnalogHead };

/** An analog head: an ONNX model with one float input `x` [N, ...input shape] and one output `y` [N, ...node shape]. */
export interface AnalogHead {
  /** The serialised ModelProto (default-domain opset `opset`, weights inside). */
  readonly model: Uint8Array;
  /** Its default-domain opset (the source file's, ≥ 13). */
  readonly opset: number;
  /** The distinct ONNX op types it evaluates, in first-use order (what a hybrid run names). */
  readonly ops: readonly string[];
}

export const ANALOG_HEAD_INPUT = 'x';
export const ANALOG_HEAD_OUTPUT = 'y';

export type OpKind = GraphOp['kind'];
export type LinearOp = Extract<GraphOp, { kind: 'conv' | 'convTranspose' | 'dense' }>;

export interface GraphNode {
  /** Unique node id; also the activation-site name for `relu` nodes. */
  readonly id: string;
  /** Where the node came from, for messages: the tfjs layer or ONNX node name, and its class / op_type. */
  readonly layer: string;
  readonly className: string;
  readonly op: GraphOp;
  /** Ids of the input nodes, in call order. */
  readonly inputs: readonly string[];
  /** Output shape of one sample (no batch axis), NCHW: [C, H, W] or [F]. */
  readonly shape: readonly number[];
}

/** A model as the engine sees it: nodes in topological order, one input, one output. */
export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly input: string;
  readonly output: string;
}

export function isLinear(op: GraphOp): op is LinearOp {
  return op.kind === 'conv' || op.kind === 'convTranspose' || op.kind === 'dense';
}

/** Channels of a node's output: axis 0 of a feature map, the length of a vector. */
export function channels(node: GraphNode): number {
  return node.shape[0] ?? 1;
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

/** The analog head of a hybrid graph (its output node), or null. */
export function analogHead(graph: Graph): AnalogHead | null {
  const out = graph.nodes.find((n) => n.id === graph.output);
  return out?.op.kind === 'analog' ? out.op.head : null;
}

/**
 * A hybrid graph split into its spiking body (output: the analog node's input, the last activation
 * site) and the head; a graph without an analog head is its own body.
 */
export function splitHybrid(graph: Graph): { body: Graph; head: AnalogHead | null } {
  const out = graph.nodes.find((n) => n.id === graph.output);
  if (out?.op.kind !== 'analog') return { body: graph, head: null };
  return { body: { ...graph, nodes: graph.nodes.filter((n) => n !== out), output: out.inputs[0] as string }, head: out.op.head };
}

/** The activation sites (relu nodes) in topological order. */
export function sites(graph: Graph): GraphNode[] {
  return graph.nodes.filter((n) => n.op.kind === 'relu');
}
