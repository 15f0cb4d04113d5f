// The SNN's stateful pieces as ONNX nodes: an IF-burst population step, a LIPool step and the gate
// ablation. Each takes its state values and this step's input and returns the new states.
import type { ResetMode } from '../../formats/conversion.js';
import type { GraphOp } from '../ir/graph.js';
import type { OnnxGraph } from '../ort/proto.js';

/** A per-channel constant shaped to broadcast over [N, C, …] values of per-sample `shape`. */
export function channelConstant(g: OnnxGraph, key: string, values: Float32Array, shape: readonly number[]): string {
  return g.shared(key, () => g.constant(values, [values.length, ...shape.slice(1).map(() => 1)], key));
}

export interface IfParams {
  /** Γ ≥ 1. */
  readonly gamma: number;
  readonly reset: ResetMode;
  /** Threshold θ per channel, or null for θ = 1 (the normalised formulation's fast path). */
  readonly theta: Float32Array | null;
  /** Per-sample shape of the population (for broadcasting θ). */
  readonly shape: readonly number[];
  /** Unique key for the population's constants. */
  readonly key: string;
}

/**
 * One step of integrate-and-fire with burst spikes (design/conversion.md §3):
 *   V ← V + z;   s = clip(⌊V/θ⌋, 0, Γ);   V ← V − s·θ   (reset 'subtract', the default)
 *                                         V ← 0 where s > 0   (reset 'zero', a hard reset that resets)
 * and, with a counter N, N ← N + s. The value sent on is s (spike count; one spike carries θ in
 * the units of V, i.e. λ in ANN units after normalisation). Returns the new V, s and new N.
 * For blockable populations the products s·(−θ) and s·1 are depthwise convolutions (see blockable).
 */
/**
 * Whether per-channel products of a [C, H, W] value are written as depthwise 1×1 convolutions:
 * ONNX Runtime's CPU provider runs those in its blocked channel layout and fuses the additions
 * around them into its convolutions (Conv + Sum), where a Mul/Sub would cost a reorder pass each
 * way. Same arithmetic (one product, one sum), so it is only a question of speed; C must fill
 * whole blocks (8 or 16 channels).
 */
export function blockable(shape: readonly number[]): boolean {
  return shape.length === 3 && (shape[0] ?? 1) % 16 === 0;
}

/** x·w per channel (axis 1 of [N, C, H, W]) as a depthwise 1×1 convolution. */
export function depthwiseScale(g: OnnxGraph, x: string, key: string, w: Float32Array): string {
  const weight = g.shared(`${key}.dw`, () => g.constant(w, [w.length, 1, 1, 1], `${key}.dw`));
  return g.op('Conv', [x, weight], { kernel_shape: [1, 1], group: w.length, pads: [0, 0, 0, 0], strides: [1, 1], dilations: [1, 1] });
}

export function emitIfStep(g: OnnxGraph, v: string, z: string | readonly string[], p: IfParams, count: string | null): { v: string; s: string; n: string | null } {
  const c = p.shape[0] ?? 1;
  const dw = blockable(p.shape) && p.reset === 'subtract';
  // z may be the terms of a residual sum: V joins the last terms first, the first term (a
  // convolution's output) last, so that ONNX Runtime can fuse each addition into a convolution.
  const terms = typeof z === 'string' ? [z] : z;
  let u = v;
  for (let i = terms.length - 1; i >= 0; i--) u = g.op('Add', [terms[i] as string, u]);
  const theta = p.theta === null ? null : channelConstant(g, `${p.key}.theta`, p.theta, p.shape);
  const inv = p.theta === null ? null : channelConstant(g, `${p.key}.invTheta`, p.theta.map((t) => 1 / t), p.shape);
  const q = inv === null ? u : g.op('Mul', [u, inv]);
  const s = g.op('Floor', [g.op('Clip', [q, g.scalar(0), g.scalar(p.gamma)])]);
  if (dw) {
    const next = g.op('Add', [u, depthwiseScale(g, s, `${p.key}.neg`, p.theta === null ? new Float32Array(c).fill(-1) : p.theta.map((t) => -t))]);
    const n = count === null ? null : g.op('Add', [count, depthwiseScale(g, s, `${p.key}.pos`, new Float32Array(c).fill(1))]);
    return { v: next, s, n };
  }
  let next: string;
  if (p.reset === 'zero') next = g.op('Where', [g.op('Greater', [s, g.scalar(0)]), g.scalar(0), u]);
  else next = g.op('Sub', [u, theta === null ? s : g.op('Mul', [s, theta])]);
  return { v: next, s, n: count === null ? null : g.op('Add', [count, s]) };
}

type PoolOp = Extract<GraphOp, { kind: 'maxPool' }>;

function poolAttrs(op: PoolOp): Record<string, readonly number[] | number> {
  return { kernel_shape: op.kernel, strides: op.strides, pads: op.pads, dilations: op.dilations, ceil_mode: op.ceilMode ? 1 : 0 };
}

/**
 * LIPool, lateral-inhibition max-pooling (design/conversion.md §4). Per window, with accumulators
 * R_j for its inputs j:  R_j ← R_j + x_j;  y = max_j R_j;  R_j ← R_j − y.
 * Invariant: Σ_{τ≤t} y_τ = max_j Σ_{τ≤t} x_{j,τ} for every t and window.
 * Computed in the equivalent cumulative form: with C_j(t) = Σ_{τ≤t} x_j, induction gives
 * R_j = C_j(t) − Σ_{τ<t} y_τ, hence y_t = maxPool(C(t)) − maxPool(C(t−1)), with the ANN's own
 * window, stride, dilation and padding (overlapping windows included; padding never wins). State:
 * C, and M = maxPool(C) = Σ_{τ≤t} y_τ, which is also the pool neurons' spike total. With x null,
 * `c` is already C(t) (the spike counter of the site the pool reads, updated this step).
 */
export function emitLipoolStep(g: OnnxGraph, c: string, m: string, x: string | null, op: PoolOp): { c: string; m: string; y: string } {
  const c2 = x === null ? c : g.op('Add', [c, x]);
  const m2 = g.op('MaxPool', [c2], poolAttrs(op));
  return { c: c2, m: m2, y: g.op('Sub', [m2, m]) };
}

/**
 * The gate variant (`maxPool: "gate"`, an ablation): accumulators A_j ← A_j + x_j are never
 * reduced; each window passes the current input of its neuron with the largest A_j (the first in
 * row-major window order on ties: ONNX MaxPool's index output). With a counter Y ← Y + y.
 */
export function emitGateStep(g: OnnxGraph, a: string, x: string, op: PoolOp, count: string | null): { a: string; y: string; count: string | null } {
  const a2 = g.op('Add', [a, x]);
  const [, idx] = g.node('MaxPool', [a2], { ...poolAttrs(op), storage_order: 0 }, 2) as [string, string];
  const flat = g.op('Reshape', [x, g.shared('gate.flat', () => g.int64s([-1], 'gate.flat'))]);
  const y = g.op('Gather', [flat, idx], { axis: 0 });
  return { a: a2, y, count: count === null ? null : g.op('Add', [count, y]) };
}
