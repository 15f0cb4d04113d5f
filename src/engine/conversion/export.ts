import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_CONVERSION_CONFIG, type ConversionConfig } from '../../formats/conversion.js';
import { InvalidConversionInputError } from '../errors.js';
import { extractGraph } from '../ir/from-tfjs.js';
import { sites, splitHybrid, type Graph, type GraphNode } from '../ir/graph.js';
import { emitAnn } from '../ort/emit-ann.js';
import { emitSnnModel, SNN_NAMES } from './emit-snn.js';
import { logitGraph } from './pipeline.js';
import { foldBatchNorm } from './fold.js';
import { chooseStepsPerCall } from './snn.js';
import { annMacs } from './sops.js';
import { planSnn } from './snn-plan.js';

/** A model as exported: the ONNX bytes and what a caller needs to drive them. */
export interface ExportedModel {
  readonly bytes: Uint8Array;
  /** The same description as the file's `spikelab.contract` metadata entry. */
  readonly contract: SnnContract | AnnContract;
}

export interface AnnContract {
  readonly kind: 'ann';
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  readonly output: { readonly name: string; readonly shape: readonly number[] };
}

export interface SnnContract {
  readonly kind: 'snn';
  /** NCHW batch of normalised images ([N, ...shape]), the same every step (direct encoding). */
  readonly input: { readonly name: 'input'; readonly shape: readonly number[] };
  /** Steps unrolled per call: outputs `output:1` … `output:K`. */
  readonly stepsPerCall: number;
  /** The T of the conversion run (run ⌈T/K⌉ calls; later outputs are steps beyond T). */
  readonly timeSteps: number;
  /** `output:k` = Σ_{τ≤t} output_τ after the k-th step of the call, per sample ([N, ...shape]). */
  readonly output: { readonly shape: readonly number[]; readonly meaning: string };
  /** Feed `state:<name>`, get `next:<name>`; start every batch from `init` (a value, or one per channel of axis 1). */
  readonly states: readonly { readonly name: string; readonly shape: readonly number[]; readonly init: number | readonly number[]; readonly meaning: string }[];
  readonly config: ConversionConfig;
}

/**
 * Any model's ANN (zoo, trained, or an IR v2 graph) as a standalone ONNX file: input `input`
 * [N, C, H, W] (NCHW, normalised like the data set), output `output`. Batch-norm stays a
 * BatchNormalization node; weights are the model's own.
 */
export function exportAnn(model: tfl.LayersModel | Graph): ExportedModel {
  const graph = 'nodes' in model ? model : extractGraph(model);
  const shape = (id: string): readonly number[] => (graph.nodes.find((n) => n.id === id) as GraphNode).shape;
  const contract: AnnContract = { kind: 'ann', input: { name: 'input', shape: shape(graph.input) }, output: { name: 'output', shape: shape(graph.output) } };
  return { bytes: emitAnn(graph, {}).bytes, contract };
}

/**
 * A conversion run's SNN as a standalone ONNX file, rebuilt from the model, the run's calibrated λ
 * per site and its config: exactly the graphs the engine ran (input-only part and K unrolled
 * steps, in one model), so that running it in ONNX Runtime reproduces the run's outputs. The
 * contract (inputs, states, outputs, how to run T steps) is in the file's metadata and returned.
 */
export function exportSnn(
  model: tfl.LayersModel | Graph,
  lambdas: Readonly<Record<string, readonly number[]>>,
  config: Partial<ConversionConfig> = {},
  opts: { stepsPerCall?: number; collectStats?: boolean } = {},
): ExportedModel {
  const cfg: ConversionConfig = { ...DEFAULT_CONVERSION_CONFIG, ...config };
  const folded = foldBatchNorm('nodes' in model ? model : extractGraph(model));
  // A hybrid model: the SNN is its spiking body, the analog head runs on its running mean (as in the engine).
  const { body: graph, head: analog } = splitHybrid(folded);
  const analogShape = (folded.nodes.find((n) => n.id === folded.output) as GraphNode).shape;
  const lam = new Map<string, Float32Array>();
  for (const s of sites(graph)) {
    const v = lambdas[s.id];
    if (v === undefined || v.length === 0) throw new InvalidConversionInputError(`no λ for activation site '${s.id}' (the run's lambdas do not match this model)`);
    lam.set(s.id, Float32Array.from(v));
  }
  const k = opts.stepsPerCall ?? chooseStepsPerCall(cfg.timeSteps, annMacs(graph) * cfg.batchSize);
  const head = graph.nodes.find((n) => n.id === graph.output) as GraphNode;
  // A mean-logit run's SNN accumulates the head's logits, as the engine ran it.
  const logits = head.op.kind === 'sigmoid' && cfg.readout === 'mean-logit';
  const plan = planSnn(logits ? logitGraph(graph) : graph, lam, { gamma: cfg.gamma, reset: cfg.reset, vInit: cfg.vInit, maxPool: cfg.maxPool, collectStats: opts.collectStats ?? true });
  const out = plan.graph.nodes.find((n) => n.id === plan.graph.output) as GraphNode;
  const meaning = (name: string): string => {
    const what = name.slice(name.lastIndexOf(':') + 1);
    switch (what) {
      case 'v':
        return 'membrane potential (in units of the threshold: θ = 1 after normalisation)';
      case 'n':
        return 'spikes emitted per neuron since the reset';
      case 'c':
        return 'LIPool: Σ of the pool inputs since the reset';
      case 'm':
        return 'LIPool: max-pool of c = spikes the pool emitted since the reset';
      case 'a':
        return 'gate pool: Σ of the pool inputs since the reset';
      case 'y':
        return 'gate pool: Σ of its outputs since the reset';
      default:
        return 'Σ of the output since the reset';
    }
  };
  const contract: SnnContract = {
    kind: 'snn',
    input: { name: 'input', shape: (graph.nodes.find((n) => n.id === graph.input) as GraphNode).shape },
    stepsPerCall: k,
    timeSteps: cfg.timeSteps,
    output: {
      shape: analog === null ? out.shape : analogShape,
      meaning: analog !== null
        ? `t · head(Σ_{τ≤t} s_τ / t): the analog head (${analog.ops.join(', ')}, not spiking) on the running mean of site '${out.id}' after step t, times t; divide by t for the head's output, argmax is the prediction after step t`
        : logits
        ? "Σ of the per-step logits of the sigmoid head: σ(Σ/t) is the prediction after step t (readout mean-logit)"
        : out.op.kind === 'sigmoid'
          ? 'Σ of the per-step sigmoid probabilities: divide by t for the running mean'
          : 'Σ of the per-step logits: argmax is the prediction after step t',
    },
    states: [
      ...plan.states.map((s) => ({ name: `state:${s.name}`, shape: s.shape, init: typeof s.init === 'number' ? s.init : Array.from(s.init), meaning: meaning(s.name) })),
      ...(analog === null ? [] : [{ name: `state:${SNN_NAMES.headSteps}`, shape: [1], init: 0, meaning: 'analog head: time steps simulated since the reset' }]),
    ],
    config: cfg,
  };
  const doc =
    `Spikelab SNN (burst spikes, Γ = ${cfg.gamma}, reset ${cfg.reset}, max-pool ${cfg.maxPool}). Per batch: set every state:<name> to its init, ` +
    `then call ${Math.ceil(cfg.timeSteps / k)} times with the same input, passing next:<name> back as state:<name>; output:k of call c is step (c−1)·${k} + k.`;
  const bytes = emitSnnModel(plan, k, { 'spikelab.contract': JSON.stringify(contract) }, doc, analog === null ? null : { head: analog, shape: analogShape });
  return { bytes, contract };
}
