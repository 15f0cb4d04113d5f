import { channels, consumers, nodeById, size, type Graph, type GraphNode, type LinearOp, type Weight } from '../ir/graph.js';

/**
 * The θ formulation (design/conversion.md §2.3): we use the *normalised* one. Every SNN tensor is
 * the ANN tensor divided by a per-channel scale s (ANN value = SNN value · s; channels are axis 0
 * of a [C, H, W] map, the features of a [F] vector). A site l has s = λ_l, so its neurons fire with
 * threshold 1 and emit spike counts; a linear layer absorbs the scales into its weights,
 * W'[o, i, …] = W[o, i, …] · s_in[i] / s_out[o], b' = b / s_out, and picks s_out = the λ of the
 * site it feeds, so θ = 1 wherever the graph allows. Where it does not (a residual add joining
 * different scales, a site fed by a scale-preserving op, a reshape that mixes channels), an
 * explicit per-channel factor on an input or θ' = λ/s_in keeps the network exactly equivalent to
 * θ_l = λ_l neurons.
 */
export interface ScalePlan {
  /** Scale of every node's SNN output, per channel (axis 0). */
  readonly scale: ReadonlyMap<string, Float32Array>;
  /** Per site: θ' = λ / s_in per channel, or null when it is 1 everywhere (the fast path). */
  readonly theta: ReadonlyMap<string, Float32Array | null>;
  /** Per node: a multiplier s_in/s_target for each input (null: none), applied before the op. */
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
      w = preference(byId.get(uid) as GraphNode, n, want, lambdaOf, byId);
    }
    want.set(n.id, w);
  }
  // Forward pass: actual scales, thresholds and alignment factors.
  const scale = new Map<string, Float32Array>();
  const theta = new Map<string, Float32Array | null>();
  const inputFactors = new Map<string, (Float32Array | null)[]>();
  const sIn = (n: GraphNode, i = 0): Float32Array => scale.get(n.inputs[i] ?? '') as Float32Array;
  /** Brings input 0 back to ANN units when its scale is not uniform (ops that mix channels). */
  const uniform = (n: GraphNode): number => {
    const s = sIn(n);
    if (isUniform(s)) return s[0] as number;
    inputFactors.set(n.id, [s.slice()]);
    return 1;
  };
  for (const n of graph.nodes) {
    const c = channels(n);
    let s: Float32Array;
    switch (n.op.kind) {
      case 'input':
        s = ones(c);
        break;
      case 'conv':
      case 'dense':
      case 'convTranspose':
        s = want.get(n.id) ?? ones(c);
        break;
      case 'relu': {
        s = lambdaOf(n);
        const t = div(s, sIn(n));
        theta.set(n.id, isOnes(t) ? null : t);
        break;
      }
      case 'add': {
        const target = want.get(n.id) ?? sIn(n);
        s = target;
        const f = n.inputs.map((_, i) => factor(sIn(n, i), target));
        if (f.some((x) => x !== null)) inputFactors.set(n.id, f);
        break;
      }
      case 'sigmoid': {
        s = ones(c);
        const f = factor(sIn(n), s);
        if (f !== null) inputFactors.set(n.id, [f]);
        break;
      }
      case 'concat':
        s = n.op.axis === 0 ? concat(n.inputs.map((_, i) => sIn(n, i))) : sIn(n);
        if (n.op.axis !== 0) {
          // Concatenating along a spatial axis: every input must share the first input's scales.
          const f = n.inputs.map((_, i) => factor(sIn(n, i), s));
          if (f.some((x) => x !== null)) inputFactors.set(n.id, f);
        }
        break;
      case 'flatten': {
        // NCHW flatten: feature f = c·(H·W) + p has the scale of channel c.
        const src = byId.get(n.inputs[0] ?? '') as GraphNode;
        s = repeatEach(sIn(n), size(src.shape) / channels(src));
        break;
      }
      case 'transpose':
        s = n.op.perm[0] === 0 ? sIn(n) : new Float32Array(c).fill(uniform(n));
        break;
      case 'reshape': {
        const src = byId.get(n.inputs[0] ?? '') as GraphNode;
        s = n.shape[0] === channels(src) && src.shape.length === n.shape.length ? sIn(n) : new Float32Array(c).fill(uniform(n));
        break;
      }
      case 'batchNorm':
        throw new Error(`planScales: batch-norm '${n.id}' must be folded first`);
      case 'analog':
        throw new Error(`planScales: the analog head '${n.id}' is not part of the spiking body (splitHybrid first)`);
      case 'maxPool':
      case 'avgPool':
      case 'globalAvgPool':
      case 'upsample':
      case 'pad':
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
    case 'pad':
    case 'identity':
    case 'softmax':
      return want.get(u.id) ?? null;
    case 'concat': {
      const w = want.get(u.id);
      if (w === undefined || w === null || u.op.axis !== 0) return null;
      let offset = 0;
      for (const i of u.inputs) {
        const cin = channels(byId.get(i) as GraphNode);
        if (i === n.id) return w.slice(offset, offset + cin);
        offset += cin;
      }
      return null;
    }
    case 'input':
    case 'conv':
    case 'convTranspose':
    case 'dense':
    case 'batchNorm':
    case 'flatten':
    case 'transpose':
    case 'reshape':
    case 'analog':
      // Linear layers absorb any input scale; shape ops take whatever comes (an analog head is outside the SNN).
      return null;
  }
}

/** W'[o, i, …] = W[o, i, …] · s_in[i] / s_out[o] (conv-transpose: [i, o, …]);  b' = b / s_out. */
export function scaleLinear(op: LinearOp, sIn: Float32Array, sOut: Float32Array): { weight: Weight; bias: Float32Array | null } {
  const shape = op.weight.shape;
  const inAxis = op.kind === 'convTranspose' ? 0 : 1;
  const outAxis = 1 - inAxis;
  const dim = (a: number): number => shape[a] ?? 1;
  if (sIn.length !== dim(inAxis) || sOut.length !== dim(outAxis)) {
    throw new Error(`scaleLinear: scales ${sIn.length}/${sOut.length} do not match weight [${shape.join(', ')}]`);
  }
  const inner = shape.slice(2).reduce((x, y) => x * y, 1);
  const data = new Float32Array(op.weight.data.length);
  for (let k = 0; k < data.length; k++) {
    const a0 = Math.floor(k / (dim(1) * inner));
    const a1 = Math.floor(k / inner) % dim(1);
    const i = inAxis === 0 ? a0 : a1;
    const o = inAxis === 0 ? a1 : a0;
    data[k] = ((op.weight.data[k] as number) * (sIn[i] as number)) / (sOut[o] as number);
  }
  const bias = op.bias === null ? null : op.bias.map((b, o) => b / (sOut[o] as number));
  return { weight: { data, shape }, bias };
}

export function ones(n: number): Float32Array {
  return new Float32Array(n).fill(1);
}

export function isOnes(a: Float32Array): boolean {
  return a.every((v) => Math.abs(v - 1) <= 1e-6);
}

function isUniform(a: Float32Array): boolean {
  return a.every((v) => Math.abs(v - (a[0] as number)) <= 1e-6 * Math.abs(a[0] as number));
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

/** Each channel's scale repeated for its `per` elements (NCHW flatten). */
function repeatEach(s: Float32Array, per: number): Float32Array {
  const out = new Float32Array(s.length * per);
  for (let c = 0; c < s.length; c++) out.fill(s[c] as number, c * per, (c + 1) * per);
  return out;
}
