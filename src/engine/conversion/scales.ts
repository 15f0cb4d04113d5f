import { channels, consumers, isLinear, nodeById, type Graph, type GraphNode, type LinearOp, type Weight } from './graph.js';

/**
 * The θ formulation (design/conversion.md §2.3): we use the *normalised* one. Every SNN tensor is
 * the ANN tensor divided by a per-channel scale s (ANN value = SNN value · s). A site l has
 * s = λ_l, so its neurons fire with threshold 1 and emit spike counts; a linear layer absorbs the
 * scales into its weights, W'[.., i, o] = W[.., i, o] · s_in[i] / s_out[o], b' = b / s_out, and
 * picks s_out = the λ of the site it feeds, so θ = 1 wherever the graph allows. Where it does
 * not (a residual add joining different scales, a site fed by a scale-preserving op), an explicit
 * per-channel factor or θ' = λ/s_in keeps the network exactly equivalent to θ_l = λ_l neurons.
 */
export interface ScalePlan {
  /** Scale of every node's SNN output, per last-axis channel. */
  readonly scale: ReadonlyMap<string, Float32Array>;
  /** Per site: θ' = λ / s_in per channel, or null when it is 1 everywhere (the fast path). */
  readonly theta: ReadonlyMap<string, Float32Array | null>;
  /** Per add/sigmoid node: a multiplier s_in/s_target for each input, or null for none. */
  readonly inputFactors: ReadonlyMap<string, readonly (Float32Array | null)[]>;
}

export function planScales(graph: Graph, lambdas: ReadonlyMap<string, Float32Array>): ScalePlan {
  const byId = nodeById(graph);
  const users = consumers(graph);
  const lambdaOf = (n: GraphNode): Float32Array => {
    const lam = lambdas.get(n.id);
    if (lam === undefined) throw new Error(`no λ for site ${n.id}`);
    return lam.length === 1 ? new Float32Array(channels(n)).fill(lam[0] as number) : lam;
  };
  // Backward pass: the scale each node's consumers would like its output to have.
  const want = new Map<string, Float32Array | null>();
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const n = graph.nodes[k] as GraphNode;
    let w: Float32Array | null = n.id === graph.output && n.op.kind !== 'sigmoid' && n.op.kind !== 'softmax' ? ones(channels(n)) : null;
    for (const uid of users.get(n.id) ?? []) {
      if (w !== null) break;
      const u = byId.get(uid) as GraphNode;
      w = preference(u, n, want, lambdaOf, byId);
    }
    want.set(n.id, w);
  }
  // Forward pass: actual scales, thresholds and alignment factors.
  const scale = new Map<string, Float32Array>();
  const theta = new Map<string, Float32Array | null>();
  const inputFactors = new Map<string, (Float32Array | null)[]>();
  const sIn = (n: GraphNode, i = 0): Float32Array => scale.get(n.inputs[i] ?? '') as Float32Array;
  for (const n of graph.nodes) {
    const c = channels(n);
    let s: Float32Array;
    switch (n.op.kind) {
      case 'input':
        s = ones(c);
        break;
      case 'conv2d':
      case 'dense':
      case 'conv2dTranspose':
        s = want.get(n.id) ?? ones(c);
        break;
      case 'relu': {
        s = lambdaOf(n);
        const t = div(s, sIn(n));
        theta.set(n.id, isOnes(t) ? null : t);
        break;
      }
      case 'add': {
        s = want.get(n.id) ?? sIn(n);
        const target = s;
        inputFactors.set(n.id, n.inputs.map((_, i) => factor(sIn(n, i), target)));
        break;
      }
      case 'sigmoid':
        s = ones(c);
        inputFactors.set(n.id, [factor(sIn(n), s)]);
        break;
      case 'concat':
        s = concat(n.inputs.map((_, i) => sIn(n, i)));
        break;
      case 'flatten':
        s = tile(sIn(n), c);
        break;
      case 'batchNorm':
        throw new Error(`planScales: batch-norm '${n.id}' must be folded first`);
      case 'maxPool':
      case 'avgPool':
      case 'globalAvgPool':
      case 'upsample':
      case 'zeroPad':
      case 'identity':
      case 'softmax':
        // Per-channel scales pass through these (max and averages commute with positive scales).
        s = sIn(n);
        break;
    }
    scale.set(n.id, s);
  }
  return { scale, theta, inputFactors };
}

/** What consumer `u` wants node `n`'s output scale to be (null: no preference). */
function preference(
  u: GraphNode,
  n: GraphNode,
  want: Map<string, Float32Array | null>,
  lambdaOf: (n: GraphNode) => Float32Array,
  byId: Map<string, GraphNode>,
): Float32Array | null {
  switch (u.op.kind) {
    case 'relu':
      return lambdaOf(u);
    case 'sigmoid':
      return ones(channels(n));
    case 'add':
    case 'maxPool':
    case 'avgPool':
    case 'globalAvgPool':
    case 'upsample':
    case 'zeroPad':
    case 'identity':
    case 'softmax':
      return want.get(u.id) ?? null;
    case 'concat': {
      const w = want.get(u.id);
      if (w === undefined || w === null) return null;
      let offset = 0;
      for (const i of u.inputs) {
        const cin = channels(byId.get(i) as GraphNode);
        if (i === n.id) return w.slice(offset, offset + cin);
        offset += cin;
      }
      return null;
    }
    case 'input':
    case 'conv2d':
    case 'conv2dTranspose':
    case 'dense':
    case 'batchNorm':
    case 'flatten':
      // Linear layers absorb any input scale; flatten feeds one (per-feature scales need no match).
      return null;
  }
}

/** W'[.., i, o] = W[.., i, o] · s_in[i] / s_out[o];  b' = b / s_out. */
export function scaleLinear(op: LinearOp, sIn: Float32Array, sOut: Float32Array): { kernel: Weight; bias: Float32Array | null } {
  const shape = op.kernel.shape;
  const r = shape.length;
  // Axes of in/out channels: conv2d [kh,kw,in,out], dense [in,out], convT [kh,kw,out,in].
  const inAxis = op.kind === 'conv2dTranspose' ? r - 1 : r - 2;
  const outAxis = op.kind === 'conv2dTranspose' ? r - 2 : r - 1;
  const dim = (a: number): number => shape[a] ?? 1;
  if (sIn.length !== dim(inAxis) || sOut.length !== dim(outAxis)) {
    throw new Error(`scaleLinear: scales ${sIn.length}/${sOut.length} do not match kernel [${shape.join(', ')}]`);
  }
  const stride = (a: number): number => shape.slice(a + 1).reduce((x, y) => x * y, 1);
  const inStride = stride(inAxis);
  const outStride = stride(outAxis);
  const data = new Float32Array(op.kernel.data.length);
  for (let k = 0; k < data.length; k++) {
    const i = Math.floor(k / inStride) % dim(inAxis);
    const o = Math.floor(k / outStride) % dim(outAxis);
    data[k] = ((op.kernel.data[k] as number) * (sIn[i] as number)) / (sOut[o] as number);
  }
  const bias = op.bias === null ? null : op.bias.map((b, o) => b / (sOut[o] as number));
  return { kernel: { data, shape }, bias };
}

export function isLinearNode(n: GraphNode): n is GraphNode & { op: LinearOp } {
  return isLinear(n.op);
}

export function ones(n: number): Float32Array {
  return new Float32Array(n).fill(1);
}

export function isOnes(a: Float32Array): boolean {
  return a.every((v) => Math.abs(v - 1) <= 1e-6);
}

function div(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v / (b[i] as number));
}

function factor(sIn: Float32Array, target: Float32Array): Float32Array | null {
  const f = div(sIn, target);
  return isOnes(f) ? null : f;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Per-feature scale after NHWC flatten: feature f = (h·W + w)·C + c has scale s[c]. */
function tile(s: Float32Array, features: number): Float32Array {
  const out = new Float32Array(features);
  for (let f = 0; f < features; f++) out[f] = s[f % s.length] as number;
  return out;
}
