import * as tf from '@tensorflow/tfjs-core';
import type { MaxPoolMode, ResetMode } from '../../formats/conversion.js';
import { InvalidConversionInputError } from '../errors.js';
import { isLinear, type Graph, type GraphNode } from './graph.js';
import { IfPopulation, LinearLayer, PoolPopulation, StatelessLayer, type Population, type SnnLayer } from './layers.js';
import { poolGeometry } from './lipool.js';
import { uploadLinear } from './ops.js';
import { isOnes, planScales, scaleLinear, type ScalePlan } from './scales.js';

export interface SnnOptions {
  /** Γ ≥ 1. */
  gamma: number;
  reset: ResetMode;
  /** Initial membrane as a fraction of θ. */
  vInit: number;
  maxPool: MaxPoolMode;
  /** Count spikes for firing rates and SOPs (default true). */
  collectStats?: boolean;
  /** Replace the layer built for a node (faster kernels); return undefined to keep the default. */
  layerFactory?: (node: GraphNode, defaults: () => SnnLayer) => SnnLayer | undefined;
}

/**
 * Builds the spiking network from a batch-norm-free graph and the calibrated λ per site
 * (normalised formulation, see planScales). Every relu node becomes its own IF population, every
 * max-pool a LIPool (or gate) population; everything else stays linear and acts on each step.
 */
export function buildSnn(graph: Graph, lambdas: ReadonlyMap<string, Float32Array>, opts: SnnOptions): SpikingNetwork {
  if (!(Number.isInteger(opts.gamma) && opts.gamma >= 1)) throw new InvalidConversionInputError(`gamma must be an integer ≥ 1, got ${opts.gamma}`);
  const plan = planScales(graph, lambdas);
  return new SpikingNetwork(graph, plan, opts);
}

/**
 * The converted network. reset(x) starts a batch: it clears all state and evaluates once the
 * "static" part of the graph that only depends on the (directly encoded, constant) input — at
 * least the first linear layer. step() advances one time step and adds the output to the
 * accumulator; output() is Σ_{τ≤t} out_τ in ANN units (for a sigmoid head: Σ of probabilities).
 */
export class SpikingNetwork {
  readonly populations: Population[] = [];
  private readonly layers = new Map<string, SnnLayer>();
  private readonly isStatic = new Set<string>();
  private readonly dynamicNodes: GraphNode[];
  private staticValues = new Map<string, tf.Tensor>();
  private acc: tf.Tensor | null = null;
  private readonly readout: tf.Tensor | null;
  private tStep = 0;

  constructor(
    readonly graph: Graph,
    readonly plan: ScalePlan,
    opts: SnnOptions,
  ) {
    const collect = opts.collectStats ?? true;
    for (const n of graph.nodes) {
      if (n.op.kind === 'input') {
        this.isStatic.add(n.id);
        continue;
      }
      const make = (): SnnLayer => this.defaultLayer(n, opts, collect);
      const layer = opts.layerFactory?.(n, make) ?? make();
      this.layers.set(n.id, layer);
      if (n.op.kind === 'relu' || n.op.kind === 'maxPool') {
        this.populations.push(layer as Population);
      } else if (n.inputs.every((i) => this.isStatic.has(i))) {
        this.isStatic.add(n.id);
      }
    }
    this.dynamicNodes = graph.nodes.filter((n) => !this.isStatic.has(n.id));
    const out = plan.scale.get(graph.output) as Float32Array;
    this.readout = isOnes(out) ? null : tf.tensor1d(out);
  }

  private defaultLayer(n: GraphNode, opts: SnnOptions, collect: boolean): SnnLayer {
    const s = (id: string): Float32Array => this.plan.scale.get(id) as Float32Array;
    if (isLinear(n.op)) {
      const { kernel, bias } = scaleLinear(n.op, s(n.inputs[0] ?? ''), s(n.id));
      return new LinearLayer(n, n.op, uploadLinear(n.op, kernel, bias));
    }
    if (n.op.kind === 'relu') {
      return new IfPopulation(n, this.plan.theta.get(n.id) ?? null, opts.gamma, opts.reset, opts.vInit, collect);
    }
    if (n.op.kind === 'maxPool') {
      const input = this.graph.nodes.find((m) => m.id === n.inputs[0]) as GraphNode;
      return new PoolPopulation(n, opts.maxPool, poolGeometry(input.shape, n.op.pool, n.op.strides, n.op.padding), collect);
    }
    return new StatelessLayer(n, this.plan.inputFactors.get(n.id) ?? []);
  }

  /** Steps simulated since the last reset. */
  get t(): number {
    return this.tStep;
  }

  /** Starts a new batch: state to initial values, static part (first layer) computed once. */
  reset(x: tf.Tensor): void {
    this.clearBatch();
    const batch = x.shape[0] ?? 1;
    const values = new Map<string, tf.Tensor>([[this.graph.input, x]]);
    tf.tidy(() => {
      for (const n of this.graph.nodes) {
        if (n.op.kind === 'input' || !this.isStatic.has(n.id)) continue;
        const y = (this.layers.get(n.id) as SnnLayer).step(n.inputs.map((i) => values.get(i) as tf.Tensor));
        values.set(n.id, y);
      }
      for (const [id, v] of values) if (id !== this.graph.input) this.staticValues.set(id, tf.keep(v));
    });
    this.staticValues.set(this.graph.input, tf.clone(x));
    for (const l of this.layers.values()) l.reset(batch);
    this.tStep = 0;
  }

  /** One time step: every dynamic layer once, in graph order; the output is accumulated. */
  step(): void {
    if (!this.staticValues.has(this.graph.input)) throw new Error('SpikingNetwork.step before reset');
    const next = tf.tidy(() => {
      const values = new Map<string, tf.Tensor>(this.staticValues);
      for (const n of this.dynamicNodes) {
        const y = (this.layers.get(n.id) as SnnLayer).step(n.inputs.map((i) => values.get(i) as tf.Tensor));
        values.set(n.id, y);
      }
      const out = values.get(this.graph.output) as tf.Tensor;
      return this.acc === null ? tf.clone(out) : tf.add(this.acc, out);
    });
    this.acc?.dispose();
    this.acc = next;
    this.tStep++;
  }

  /** Σ_{τ≤t} of the output in ANN units (logits, or sigmoid probabilities). Caller disposes. */
  output(): tf.Tensor {
    if (this.acc === null) throw new Error('SpikingNetwork.output before the first step');
    return this.readout === null ? tf.clone(this.acc) : tf.mul(this.acc, this.readout);
  }

  private clearBatch(): void {
    for (const v of this.staticValues.values()) v.dispose();
    this.staticValues = new Map();
    this.acc?.dispose();
    this.acc = null;
  }

  /** Frees weights and state. */
  dispose(): void {
    this.clearBatch();
    for (const l of this.layers.values()) l.dispose();
    this.layers.clear();
    this.readout?.dispose();
  }
}
