import * as tf from '@tensorflow/tfjs-core';
import type { MaxPoolMode, ResetMode } from '../../formats/conversion.js';
import type { GraphNode, LinearOp } from './graph.js';
import { gatePoolStep, gateState, lipoolState, lipoolStep, type LipoolState, type PoolGeometry } from './lipool.js';
import { ifBurstStep, type IfBurstParams } from './neuron.js';
import { disposeLinear, linearForward, statelessForward, type LinearParams } from './ops.js';

/**
 * One layer of the SNN, advanced once per time step. This is the seam for faster kernels: a fused,
 * event-driven or GPU-specific implementation of any layer replaces its SnnLayer (see
 * BuildSnnOptions.layerFactory) without touching calibration, scaling or simulation.
 */
export interface SnnLayer {
  /** Clears all state for a new batch of `batch` samples. */
  reset(batch: number): void;
  /** Consumes this step's inputs (not owned) and returns this step's output (owned by the caller). */
  step(inputs: readonly tf.Tensor[]): tf.Tensor;
  dispose(): void;
}

/** A spiking population (IF site or converted max-pool): counts the spikes it emits. */
export interface Population extends SnnLayer {
  readonly node: GraphNode;
  readonly kind: 'if' | 'lipool' | 'gate';
  /**
   * Spikes emitted so far by each neuron (per-sample layout, summed over all samples and steps
   * since the last clearCounts), or null when counting is off.
   */
  spikeTotals(): Float64Array | null;
  /** Forgets all counts (a new simulation). */
  clearCounts(): void;
}

/** y_t = W'·x_t + b' with the pre-scaled weights. */
export class LinearLayer implements SnnLayer {
  constructor(
    readonly node: GraphNode,
    private readonly op: LinearOp,
    private readonly params: LinearParams,
  ) {}

  reset(): void {}

  step(inputs: readonly tf.Tensor[]): tf.Tensor {
    return linearForward(this.node, this.op, inputs[0] as tf.Tensor, this.params);
  }

  dispose(): void {
    disposeLinear(this.params);
  }
}

/** Stateless ops; optional per-input factors align scales (residual adds, the sigmoid head). */
export class StatelessLayer implements SnnLayer {
  private readonly factors: (tf.Tensor | null)[];

  constructor(
    readonly node: GraphNode,
    factors: readonly (Float32Array | null)[] = [],
  ) {
    this.factors = factors.map((f) => (f === null ? null : tf.tensor1d(f)));
  }

  reset(): void {}

  step(inputs: readonly tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const xs = inputs.map((x, i) => {
        const f = this.factors[i];
        return f === null || f === undefined ? x : tf.mul(x, f);
      });
      // In the SNN the softmax head is left out: the accumulated logits are the output.
      if (this.node.op.kind === 'softmax') return tf.clone(xs[0] as tf.Tensor);
      return statelessForward(this.node, xs);
    });
  }

  dispose(): void {
    for (const f of this.factors) f?.dispose();
  }
}

/** Counts spikes per neuron: one add per step on device, folded into JS totals per batch. */
abstract class Counting {
  private batchCounts: tf.Tensor | null = null;
  private totals: Float64Array | null = null;

  constructor(
    readonly node: GraphNode,
    private readonly collect: boolean,
  ) {}

  protected count(s: tf.Tensor): void {
    if (!this.collect) return;
    const next = this.batchCounts === null ? tf.clone(s) : tf.add(this.batchCounts, s);
    this.batchCounts?.dispose();
    this.batchCounts = tf.keep(next);
  }

  /** Hands over (ownership) the spikes per neuron [B, ...] counted since the last flush, or null. */
  protected takeCounts(): tf.Tensor | null {
    const b = this.batchCounts;
    this.batchCounts = null;
    return b;
  }

  /** Moves the device counts since the last flush into the running totals. */
  protected flush(): void {
    const counts = this.takeCounts();
    if (counts === null) return;
    const perNeuron = tf.tidy(() => tf.sum(counts, 0));
    const data = perNeuron.dataSync();
    perNeuron.dispose();
    counts.dispose();
    if (this.totals === null) this.totals = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) this.totals[i] = (this.totals[i] as number) + (data[i] as number);
  }

  spikeTotals(): Float64Array | null {
    this.flush();
    return this.totals;
  }

  clearCounts(): void {
    this.batchCounts?.dispose();
    this.batchCounts = null;
    this.totals = null;
  }
}

/** An activation site as IF-burst neurons (ifBurstStep); V starts at vInit·θ after each reset. */
export class IfPopulation extends Counting implements Population {
  readonly kind = 'if' as const;
  private v: tf.Tensor | null = null;
  private readonly params: IfBurstParams;

  constructor(
    node: GraphNode,
    theta: Float32Array | null,
    gamma: number,
    reset: ResetMode,
    private readonly vInit: number,
    collect: boolean,
  ) {
    super(node, collect);
    this.params = {
      theta: theta === null ? null : tf.tensor1d(theta),
      invTheta: theta === null ? null : tf.tensor1d(theta.map((t) => 1 / t)),
      gamma,
      reset,
    };
  }

  reset(batch: number): void {
    this.flush();
    this.v?.dispose();
    const shape = [batch, ...this.node.shape];
    this.v = tf.tidy(() => {
      if (this.vInit === 0) return tf.zeros(shape);
      const theta = this.params.theta ?? tf.scalar(1);
      return tf.mul(tf.fill(shape, this.vInit), theta);
    });
  }

  step(inputs: readonly tf.Tensor[]): tf.Tensor {
    if (this.v === null) throw new Error(`IfPopulation ${this.node.id}: step before reset`);
    const { v, s } = ifBurstStep(this.v, inputs[0] as tf.Tensor, this.params);
    this.v.dispose();
    this.v = tf.keep(v);
    this.count(s);
    return s;
  }

  dispose(): void {
    this.v?.dispose();
    this.v = null;
    this.params.theta?.dispose();
    this.params.invTheta?.dispose();
    this.clearCounts();
  }
}

/**
 * A max-pool as LIPool (default) or the gate ablation. LIPool needs no per-step counting: its
 * state M = maxPool(Σ inputs) is exactly the number of spikes each window has emitted.
 */
export class PoolPopulation extends Counting implements Population {
  private lip: LipoolState | null = null;
  private gate: tf.Tensor | null = null;
  /** M at the last flush (LIPool), so totals never count a spike twice. */
  private flushedM: tf.Tensor | null = null;

  constructor(
    node: GraphNode,
    readonly kind: MaxPoolMode,
    private readonly geometry: PoolGeometry,
    private readonly collectStats: boolean,
  ) {
    super(node, collectStats && kind === 'gate');
  }

  reset(batch: number): void {
    this.flush();
    this.disposeState();
    if (this.kind === 'lipool') this.lip = lipoolState(batch, this.geometry);
    else this.gate = gateState(batch, this.geometry);
  }

  step(inputs: readonly tf.Tensor[]): tf.Tensor {
    const x = inputs[0] as tf.Tensor;
    if (this.lip !== null) {
      const { state, y } = lipoolStep(this.lip, x, this.geometry);
      this.lip.c.dispose();
      this.lip.m.dispose();
      this.lip = { c: tf.keep(state.c), m: tf.keep(state.m) };
      return y;
    }
    if (this.gate === null) throw new Error(`PoolPopulation ${this.node.id}: step before reset`);
    const { r, y } = gatePoolStep(this.gate, x, this.geometry);
    this.gate.dispose();
    this.gate = tf.keep(r);
    this.count(y);
    return y;
  }

  protected override takeCounts(): tf.Tensor | null {
    if (this.kind === 'gate') return super.takeCounts();
    if (!this.collectStats || this.lip === null) return null;
    const m = this.lip.m;
    const delta = this.flushedM === null ? tf.clone(m) : tf.sub(m, this.flushedM);
    this.flushedM?.dispose();
    this.flushedM = tf.clone(m);
    return delta;
  }

  private disposeState(): void {
    if (this.lip !== null) {
      this.lip.c.dispose();
      this.lip.m.dispose();
    }
    this.lip = null;
    this.gate?.dispose();
    this.gate = null;
    this.flushedM?.dispose();
    this.flushedM = null;
  }

  dispose(): void {
    this.disposeState();
    this.clearCounts();
  }
}
