import type { MaxPoolMode, ResetMode } from '../../formats/conversion.js';
import { InvalidConversionInputError, UnsupportedLayerError } from '../errors.js';
import { channels, isLinear, nodeById, type Graph, type GraphNode } from '../ir/graph.js';
import type { LinearParams } from '../ort/emit-ops.js';
import { isOnes, planScales, scaleLinear, type ScalePlan } from './scales.js';
import { fanout } from './sops.js';

/** Neuron and pooling options of a converted network (design/conversion.md §3–§4). */
export interface SnnOptions {
  /** Γ: the most spikes one neuron emits in one step, an integer ≥ 1. */
  gamma: number;
  reset: ResetMode;
  /** Initial membrane as a fraction of θ. */
  vInit: number;
  maxPool: MaxPoolMode;
  /** Count spikes for firing rates and SOPs (default true). */
  collectStats?: boolean;
  /** Also output each sample's SOPs of every step (early exit; default false). */
  sampleSops?: boolean;
}

/** One state tensor of the step graph, per sample `shape`, with its value after a reset. */
export interface StateSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Initial value: a constant, or one value per channel (axis 0). */
  readonly init: number | Float32Array;
}

/** A spiking population: an IF site, or a max-pool as LIPool / gate. */
export interface PopulationSpec {
  readonly node: GraphNode;
  readonly kind: 'if' | 'lipool' | 'gate';
  /**
   * How its spikes since the reset are known: the `state` named by countState (IF: N, LIPool: M,
   * gate: Y), `derived` from the membrane at the end of a batch (IF sites with reset by
   * subtraction: N = (V₀ + Σz − V)/θ, see emitTotalsGraph), or `none` (counting off).
   */
  readonly counted: 'state' | 'derived' | 'none';
  readonly countState: string | null;
}

/**
 * Everything the SNN graphs are made of, decided once: the normalised scales, the rescaled
 * linear weights, which nodes only depend on the (directly encoded, constant) input and are
 * computed once per batch ("static"), the state tensors and the populations.
 */
export interface SnnPlan {
  readonly graph: Graph;
  readonly options: Required<SnnOptions>;
  readonly scales: ScalePlan;
  readonly linear: ReadonlyMap<string, LinearParams>;
  readonly isStatic: ReadonlySet<string>;
  /** Static nodes whose values the step graph reads (static inputs of dynamic nodes, or the output). */
  readonly staticOutputs: readonly string[];
  readonly states: readonly StateSpec[];
  readonly populations: readonly PopulationSpec[];
  /** Per LIPool: the state that holds C = Σ of its inputs (its own, or the spike counter N of the site it pools). */
  readonly lipoolInput: ReadonlyMap<string, string>;
  /** Multiplier of the accumulated output to ANN units (per channel), or null for none. */
  readonly readout: Float32Array | null;
  /** With sampleSops: the fan-out of every neuron of each population (by node id) that has synapses. */
  readonly fanouts: ReadonlyMap<string, Float32Array> | null;
}

/**
 * Plans the spiking network of a batch-norm-free graph from the calibrated λ per site. Every relu
 * node becomes its own IF population, every max-pool a LIPool (or gate) population; everything
 * else stays linear and acts on each step's input.
 */
export function planSnn(graph: Graph, lambdas: ReadonlyMap<string, Float32Array>, opts: SnnOptions): SnnPlan {
  if (!(Number.isInteger(opts.gamma) && opts.gamma >= 1)) throw new InvalidConversionInputError(`gamma must be an integer ≥ 1, got ${opts.gamma}`);
  if (!Number.isFinite(opts.vInit)) throw new InvalidConversionInputError(`vInit must be finite, got ${opts.vInit}`);
  const options: Required<SnnOptions> = { collectStats: true, sampleSops: false, ...opts };
  for (const n of graph.nodes) {
    if (n.op.kind === 'relu' && n.op.max !== null) throw new UnsupportedLayerError(n.id, n.className, `a clipped ReLU (max ${n.op.max}) cannot become an IF population`);
    if (n.op.kind === 'batchNorm') throw new UnsupportedLayerError(n.id, n.className, 'batch-norm must be folded before conversion');
  }
  const scales = planScales(graph, lambdas);
  const byId = nodeById(graph);
  const linear = new Map<string, LinearParams>();
  for (const n of graph.nodes) {
    if (!isLinear(n.op)) continue;
    const sIn = scales.scale.get(n.inputs[0] ?? '') as Float32Array;
    const src = byId.get(n.inputs[0] ?? '') as GraphNode;
    // A dense layer reads per-feature scales; a conv reads per-channel ones.
    const perInput = n.op.kind === 'dense' ? expandToFeatures(sIn, src) : sIn;
    linear.set(n.id, scaleLinear(n.op, perInput, scales.scale.get(n.id) as Float32Array));
  }
  const isStatic = new Set<string>();
  for (const n of graph.nodes) {
    const stateful = n.op.kind === 'relu' || n.op.kind === 'maxPool';
    if (n.op.kind === 'input' || (!stateful && n.inputs.every((i) => isStatic.has(i)))) isStatic.add(n.id);
  }
  const staticOutputs = graph.nodes
    .filter((n) => isStatic.has(n.id) && n.op.kind !== 'input')
    .filter((n) => n.id === graph.output || graph.nodes.some((m) => !isStatic.has(m.id) && m.inputs.includes(n.id)))
    .map((n) => n.id);
  if (graph.nodes.some((m) => !isStatic.has(m.id) && m.inputs.includes(graph.input))) staticOutputs.unshift(graph.input);

  const states: StateSpec[] = [];
  const populations: PopulationSpec[] = [];
  const lipoolInput = new Map<string, string>();
  const counting = options.collectStats;
  const lipool = options.maxPool === 'lipool';
  // A site pooled by a LIPool keeps a spike counter N: it is the LIPool's accumulator C as well.
  const pooled = new Set(graph.nodes.filter((n) => lipool && n.op.kind === 'maxPool' && byId.get(n.inputs[0] ?? '')?.op.kind === 'relu').map((n) => n.inputs[0] as string));
  for (const n of graph.nodes) {
    if (n.op.kind === 'relu') {
      const theta = scales.theta.get(n.id) ?? null;
      const v0 = options.vInit === 0 ? 0 : theta === null ? options.vInit : theta.map((t) => t * options.vInit);
      states.push({ name: `${n.id}:v`, shape: n.shape, init: v0 });
      const counter = pooled.has(n.id) || (counting && options.reset === 'zero');
      if (counter) states.push({ name: `${n.id}:n`, shape: n.shape, init: 0 });
      const counted = !counting ? 'none' : counter ? 'state' : 'derived';
      populations.push({ node: n, kind: 'if', counted, countState: counter ? `${n.id}:n` : null });
    } else if (n.op.kind === 'maxPool') {
      const src = n.inputs[0] as string;
      const inShape = (byId.get(src) as GraphNode).shape;
      if (lipool) {
        if (pooled.has(src)) lipoolInput.set(n.id, `${src}:n`);
        else {
          states.push({ name: `${n.id}:c`, shape: inShape, init: 0 });
          lipoolInput.set(n.id, `${n.id}:c`);
        }
        states.push({ name: `${n.id}:m`, shape: n.shape, init: 0 });
        populations.push({ node: n, kind: 'lipool', counted: counting ? 'state' : 'none', countState: `${n.id}:m` });
      } else {
        states.push({ name: `${n.id}:a`, shape: inShape, init: 0 });
        if (counting) states.push({ name: `${n.id}:y`, shape: n.shape, init: 0 });
        populations.push({ node: n, kind: 'gate', counted: counting ? 'state' : 'none', countState: counting ? `${n.id}:y` : null });
      }
    }
  }
  const out = byId.get(graph.output) as GraphNode;
  states.push({ name: 'output:acc', shape: out.shape, init: 0 });
  const readoutScale = scales.scale.get(graph.output) as Float32Array;
  const readout = out.op.kind === 'sigmoid' || isOnes(readoutScale) ? null : readoutScale;
  const fanouts = options.sampleSops ? new Map(populations.map((p) => [p.node.id, fanout(graph, p.node.id)] as const).filter(([, f]) => f.some((v) => v > 0))) : null;
  return { graph, options, scales, linear, isStatic, staticOutputs, states, populations, lipoolInput, readout, fanouts };
}

/** Per-channel scales of a dense layer's input expanded to its features. */
function expandToFeatures(s: Float32Array, src: GraphNode): Float32Array {
  const features = src.shape.reduce((a, b) => a * b, 1);
  if (s.length === features) return s;
  const per = features / channels(src);
  const out = new Float32Array(features);
  for (let c = 0; c < s.length; c++) out.fill(s[c] as number, c * per, (c + 1) * per);
  return out;
}
