import { consumers, isLinear, nodeById, type AnalogHead, type GraphNode } from '../ir/graph.js';
import { emitLinear, emitStateless } from '../ort/emit-ops.js';
import { OnnxGraph, OPSET } from '../ort/proto.js';
import { blockable, channelConstant, depthwiseScale, emitGateStep, emitIfStep, emitLipoolStep } from './emit-neurons.js';
import type { SnnPlan } from './snn-plan.js';

/** Names of the SNN graphs' inputs and outputs (the exported file's contract, see README). */
export const SNN_NAMES = {
  input: 'input',
  static: (id: string): string => `static:${id}`,
  state: (name: string): string => `state:${name}`,
  next: (name: string): string => `next:${name}`,
  /** Σ_{τ≤t} output_τ after the k-th step of a call (k = 1..K). */
  output: (k: number): string => `output:${k}`,
  /** With sampleSops: [N, 1], each sample's SOPs in the k-th step of a call (Σ spikes × fan-out over populations). */
  sops: (k: number): string => `sops:${k}`,
  /** Totals graph: the number of steps simulated, and a site's spikes since the reset. */
  steps: 'steps',
  total: (site: string): string => `total:${site}`,
  /** The exported file of a hybrid run: the state holding the steps simulated since the reset ([N, 1]). */
  headSteps: 'head:t',
} as const;

const BATCH = 'N';

/** The input-only ("static") nodes, once: values by node id. */
function emitStatic(g: OnnxGraph, plan: SnnPlan, input: string): Map<string, string> {
  const values = new Map<string, string>([[plan.graph.input, input]]);
  for (const n of plan.graph.nodes) {
    if (n.op.kind === 'input' || !plan.isStatic.has(n.id)) continue;
    values.set(n.id, emitNode(g, plan, n, inputsOf(g, plan, n, values)));
  }
  return values;
}

/** Input values of a node, multiplied by the plan's alignment factors where it has them. */
function inputsOf(g: OnnxGraph, plan: SnnPlan, n: GraphNode, values: ReadonlyMap<string, string>): string[] {
  const factors = plan.scales.inputFactors.get(n.id) ?? [];
  const byId = nodeById(plan.graph);
  return n.inputs.map((i, k) => {
    const v = values.get(i);
    if (v === undefined) throw new Error(`SNN emission: '${n.id}' reads '${i}' before it is computed`);
    const f = factors[k];
    if (f === null || f === undefined) return v;
    const shape = (byId.get(i) as GraphNode).shape;
    if (blockable(shape)) return depthwiseScale(g, v, `${n.id}.factor${k}`, f);
    return g.op('Mul', [v, channelConstant(g, `${n.id}.factor${k}`, f, shape)]);
  });
}

/** A stateless node of the SNN: rescaled linear layers, the ANN's own shape ops; no softmax. */
function emitNode(g: OnnxGraph, plan: SnnPlan, n: GraphNode, xs: string[]): string {
  if (isLinear(n.op)) return emitLinear(g, n, n.op, xs[0] as string, plan.linear.get(n.id));
  // The SNN accumulates the logits before a softmax head (same argmax).
  if (n.op.kind === 'softmax') return xs[0] as string;
  return emitStateless(g, n, xs);
}

/**
 * K unrolled time steps. Each step runs every dynamic node once in graph order: IF sites and
 * max-pools through their states, everything else as in the ANN; the output (in ANN units) is
 * added to the accumulator, whose value after every step is an output.
 */
function emitSteps(g: OnnxGraph, plan: SnnPlan, statics: ReadonlyMap<string, string>, states: Map<string, string>, steps: number, sops: string[] = []): string[] {
  const { gamma, reset } = plan.options;
  const outputs: string[] = [];
  const get = (name: string): string => states.get(name) as string;
  const has = (name: string): boolean => states.has(name);
  const outNode = plan.graph.nodes.find((m) => m.id === plan.graph.output) as GraphNode;
  // Blockable membranes and counters pass an identity depthwise convolution first, so that ONNX
  // Runtime holds them in its blocked layout from the first unrolled step on (see blockable).
  for (const n of plan.graph.nodes) {
    if (n.op.kind !== 'relu' || !blockable(n.shape) || plan.options.reset !== 'subtract') continue;
    for (const name of [`${n.id}:v`, `${n.id}:n`]) {
      if (has(name)) states.set(name, depthwiseScale(g, get(name), `${n.id}.identity`, new Float32Array(n.shape[0] ?? 1).fill(1)));
    }
  }
  // So do the input-only values such sites read: once per call, where ONNX Runtime would
  // otherwise reorder them once per step for a plain Add that it cannot fuse.
  const blocked = new Map(statics);
  for (const n of plan.graph.nodes) {
    const id = n.inputs[0] ?? '';
    const x = statics.get(id);
    if (n.op.kind !== 'relu' || !blockable(n.shape) || reset !== 'subtract' || x === undefined || blocked.get(id) !== x) continue;
    blocked.set(id, depthwiseScale(g, x, `${id}.static.identity`, new Float32Array(n.shape[0] ?? 1).fill(1)));
  }
  // A residual add read only by one site: its terms go to the site's membrane sum (emitIfStep).
  const users = consumers(plan.graph);
  const byId = nodeById(plan.graph);
  const deferred = new Set(
    plan.graph.nodes
      .filter((n) => n.op.kind === 'add' && !plan.isStatic.has(n.id) && n.id !== plan.graph.output)
      .filter((n) => (users.get(n.id) ?? []).length === 1 && byId.get((users.get(n.id) ?? [])[0] ?? '')?.op.kind === 'relu')
      .map((n) => n.id),
  );
  const terms = new Map<string, string[]>();
  const firstTermIsConv = new Map<string, boolean>();
  /**
   * Whether input i of n reaches it as the output of a convolution computed in the step graph
   * (a dynamic linear layer, or an alignment factor written as a depthwise convolution), into
   * which ONNX Runtime can fuse the addition that reads it.
   */
  const convOutput = (n: GraphNode, i: number): boolean => {
    const id = n.inputs[i] ?? '';
    const src = byId.get(id) as GraphNode;
    if (plan.scales.inputFactors.get(n.id)?.[i] != null && blockable(src.shape)) return true;
    return !plan.isStatic.has(id) && isLinear(src.op);
  };
  for (let k = 1; k <= steps; k++) {
    const values = new Map(blocked);
    for (const n of plan.graph.nodes) {
      if (plan.isStatic.has(n.id)) continue;
      const xs = inputsOf(g, plan, n, values);
      let y: string;
      if (deferred.has(n.id)) {
        // Linear-layer outputs first: the last addition is then fused into a convolution.
        const linearFirst = n.inputs.map((_, i) => ({ v: xs[i] as string, lin: convOutput(n, i) })).sort((a, b) => Number(b.lin) - Number(a.lin));
        terms.set(n.id, linearFirst.map((t) => t.v));
        firstTermIsConv.set(n.id, linearFirst[0]?.lin ?? false);
        values.set(n.id, '');
        continue;
      }
      if (n.op.kind === 'relu') {
        const count = has(`${n.id}:n`) ? get(`${n.id}:n`) : null;
        const z = terms.get(n.inputs[0] ?? '') ?? (xs[0] as string);
        const r = emitIfStep(g, get(`${n.id}:v`), z, { gamma, reset, theta: plan.scales.theta.get(n.id) ?? null, shape: n.shape, key: n.id }, count, firstTermIsConv.get(n.inputs[0] ?? '') ?? convOutput(n, 0));
        states.set(`${n.id}:v`, r.v);
        if (r.n !== null) states.set(`${n.id}:n`, r.n);
        y = r.s;
      } else if (n.op.kind === 'maxPool' && plan.lipoolInput.has(n.id)) {
        const c = plan.lipoolInput.get(n.id) as string;
        const own = c === `${n.id}:c`;
        const r = emitLipoolStep(g, get(c), get(`${n.id}:m`), own ? (xs[0] as string) : null, n.op);
        if (own) states.set(c, r.c);
        states.set(`${n.id}:m`, r.m);
        y = r.y;
      } else if (n.op.kind === 'maxPool') {
        const count = has(`${n.id}:y`) ? get(`${n.id}:y`) : null;
        const r = emitGateStep(g, get(`${n.id}:a`), xs[0] as string, n.op, count);
        states.set(`${n.id}:a`, r.a);
        if (r.count !== null) states.set(`${n.id}:y`, r.count);
        y = r.y;
      } else {
        y = emitNode(g, plan, n, xs);
      }
      values.set(n.id, y);
    }
    if (plan.fanouts !== null) sops.push(emitStepSops(g, plan, values));
    let out = values.get(plan.graph.output) as string;
    if (plan.readout !== null) out = g.op('Mul', [out, channelConstant(g, 'readout', plan.readout, outNode.shape)]);
    const acc = g.op('Add', [get('output:acc'), out]);
    states.set('output:acc', acc);
    outputs.push(acc);
  }
  return outputs;
}

/**
 * One step's SOPs per sample, [N, 1]: Σ over populations p and their neurons i of y_{p,i} · fanout_{p,i},
 * with y the step's spikes (IF: s; LIPool / gate: the pooled output), each population flattened
 * and multiplied by its fan-out column (a MatMul). The same count as the totals' SOPs, per step.
 */
function emitStepSops(g: OnnxGraph, plan: SnnPlan, values: ReadonlyMap<string, string>): string {
  let total: string | null = null;
  for (const [id, f] of plan.fanouts ?? []) {
    const w = g.shared(`${id}.fanout`, () => g.constant(f, [f.length, 1], `${id}.fanout`));
    const part = g.op('MatMul', [g.op('Flatten', [values.get(id) as string], { axis: 1 }), w]);
    total = total === null ? part : g.op('Add', [total, part]);
  }
  if (total !== null) return total;
  // No population has synapses: zeros of shape [N, 1].
  const out = values.get(plan.graph.output) as string;
  return g.op('Mul', [g.op('ReduceSum', [g.op('Flatten', [out], { axis: 1 }), g.int64s([1], 'sops.axis1')], { keepdims: 1 }), g.scalar(0)]);
}

function declareStates(g: OnnxGraph, plan: SnnPlan): Map<string, string> {
  return new Map(plan.states.map((s) => [s.name, g.input(SNN_NAMES.state(s.name), [BATCH, ...s.shape])]));
}

function finishSteps(g: OnnxGraph, plan: SnnPlan, outputs: readonly string[], states: ReadonlyMap<string, string>, sops: readonly string[] = [], outShape = (plan.graph.nodes.find((m) => m.id === plan.graph.output) as GraphNode).shape): void {
  outputs.forEach((o, i) => g.output(o, SNN_NAMES.output(i + 1), [BATCH, ...outShape]));
  sops.forEach((o, i) => g.output(o, SNN_NAMES.sops(i + 1), [BATCH, 1]));
  for (const s of plan.states) g.output(states.get(s.name) as string, SNN_NAMES.next(s.name), [BATCH, ...s.shape]);
}

/** The input-only part: `input` [N, …] → `static:<id>` for every static value the steps read. */
export function emitStaticGraph(plan: SnnPlan): Uint8Array {
  const g = new OnnxGraph('spikelab_snn_static');
  const inShape = (plan.graph.nodes.find((m) => m.id === plan.graph.input) as GraphNode).shape;
  const values = emitStatic(g, plan, g.input(SNN_NAMES.input, [BATCH, ...inShape]));
  const byId = nodeById(plan.graph);
  for (const id of plan.staticOutputs) g.output(values.get(id) as string, SNN_NAMES.static(id), [BATCH, ...(byId.get(id) as GraphNode).shape]);
  return g.encode({ docString: 'Spikelab SNN: input-only part, computed once per batch' });
}

/** K steps: `static:<id>` and `state:<name>` in, `output:1..K` and `next:<name>` out. */
export function emitStepGraph(plan: SnnPlan, steps: number): Uint8Array {
  const g = new OnnxGraph('spikelab_snn_steps');
  const byId = nodeById(plan.graph);
  const statics = new Map(plan.staticOutputs.map((id) => [id, g.input(SNN_NAMES.static(id), [BATCH, ...(byId.get(id) as GraphNode).shape])]));
  const states = declareStates(g, plan);
  const sops: string[] = [];
  finishSteps(g, plan, emitSteps(g, plan, statics, states, steps, sops), states, sops);
  return g.encode({ docString: `Spikelab SNN: ${steps} time steps per call` });
}

/**
 * The standalone SNN file: `input` and `state:<name>` in; the input-only part computed inside
 * (also given out as `static:<id>`, so it is the very value the engine's two graphs pass on);
 * `output:1..K` and `next:<name>` out.
 */
export function emitSnnModel(plan: SnnPlan, steps: number, metadata: Readonly<Record<string, string>>, docString: string, head: { readonly head: AnalogHead; readonly shape: readonly number[] } | null = null): Uint8Array {
  const g = new OnnxGraph('spikelab_snn');
  const inShape = (plan.graph.nodes.find((m) => m.id === plan.graph.input) as GraphNode).shape;
  const input = g.input(SNN_NAMES.input, [BATCH, ...inShape]);
  const values = emitStatic(g, plan, input);
  const byId = nodeById(plan.graph);
  const statics = new Map(plan.staticOutputs.map((id) => [id, values.get(id) as string]));
  const states = declareStates(g, plan);
  const accs = emitSteps(g, plan, statics, states, steps);
  if (head === null) finishSteps(g, plan, accs, states);
  else {
    const t0 = g.input(SNN_NAMES.state(SNN_NAMES.headSteps), [BATCH, 1]);
    const { outputs, t } = emitAnalogHead(g, plan, accs, t0, head.head, head.shape);
    finishSteps(g, plan, outputs, states, [], head.shape);
    g.output(t, SNN_NAMES.next(SNN_NAMES.headSteps), [BATCH, 1]);
  }
  for (const id of plan.staticOutputs) {
    if (id !== plan.graph.input) g.output(values.get(id) as string, SNN_NAMES.static(id), [BATCH, ...(byId.get(id) as GraphNode).shape]);
  }
  return g.encode({ docString, metadata });
}

/**
 * A hybrid run's analog head in the exported file, computing what the engine computes in
 * SpikingNetwork.runHead: after step t = t0 + k, y_t = head(Σ_{τ≤t} out_τ / t), given out as t·y_t.
 * The running mean is formed as the engine forms it, in double precision (Σ·(1/t), rounded once to
 * float32), so the head reads the very same values; t·y_t is exact in double, so the float32 product
 * equals the engine's rounding of it. The K means are stacked on the batch axis, the head runs
 * once on them (as in the engine), and its result is split back into the K steps. `t0` [N, 1]: the
 * steps simulated before this call; returns the outputs and t0 + K.
 */
function emitAnalogHead(g: OnnxGraph, plan: SnnPlan, accs: readonly string[], t0: string, head: AnalogHead, shape: readonly number[]): { outputs: string[]; t: string } {
  const bodyShape = (plan.graph.nodes.find((m) => m.id === plan.graph.output) as GraphNode).shape;
  const DOUBLE = 11;
  const FLOAT = 1;
  const asBody = g.int64s([-1, ...bodyShape.map(() => 1)], 'head.tBody');
  const asHead = g.int64s([-1, ...shape.map(() => 1)], 'head.tOut');
  const one = g.op('Cast', [g.scalar(1)], { to: DOUBLE });
  const ts = accs.map((_, i) => g.op('Add', [t0, g.scalar(i + 1)]));
  const means = accs.map((acc, i) => {
    const inv = g.op('Div', [one, g.op('Cast', [g.op('Reshape', [ts[i] as string, asBody])], { to: DOUBLE })]);
    return g.op('Cast', [g.op('Mul', [g.op('Cast', [acc], { to: DOUBLE }), inv])], { to: FLOAT });
  });
  const stacked = means.length === 1 ? (means[0] as string) : g.op('Concat', means, { axis: 0 });
  const y = g.inline(head.model, head.opset, stacked, 'head');
  // Split into K equal parts (opset 18 names their number; before it, the outputs' count does).
  const parts = accs.length === 1 ? [y] : g.node('Split', [y], Math.max(OPSET, head.opset) >= 18 ? { axis: 0, num_outputs: accs.length } : { axis: 0 }, accs.length);
  const outputs = parts.map((p, i) => g.op('Mul', [p, g.op('Reshape', [ts[i] as string, asHead])]));
  return { outputs, t: g.op('Add', [t0, g.scalar(accs.length)]) };
}

/**
 * Spikes per neuron of every counted population since the reset, summed over the batch: counters
 * as they are, and for the sites counted by `derived` (reset by subtraction, no per-step counter)
 * from the states at the end of a batch: V_t = V₀ + Σ_{τ≤t} z_τ − θ·N_t, so N_t = (V₀ + Σz − V_t)/θ,
 * rounded (N is an integer; the float error of V and Σz is far below ½). Σz is the site's input
 * layer applied to the totals of its inputs (every non-spiking op is linear; a bias counts t
 * times; an input-only value t times); totals of other populations are their counters (N, the
 * LIPool's M, the gate's Y). Inputs: `static:<id>`, `state:<name>`, `steps`; outputs `total:<id>`.
 */
export function emitTotalsGraph(plan: SnnPlan): Uint8Array {
  const g = new OnnxGraph('spikelab_snn_totals');
  const byId = nodeById(plan.graph);
  const steps = g.input(SNN_NAMES.steps, [1]);
  const states = declareStates(g, plan);
  const totals = new Map<string, string>();
  for (const id of plan.staticOutputs) {
    totals.set(id, g.op('Mul', [g.input(SNN_NAMES.static(id), [BATCH, ...(byId.get(id) as GraphNode).shape]), steps]));
  }
  const pops = new Map(plan.populations.map((p) => [p.node.id, p]));
  for (const n of plan.graph.nodes) {
    if (plan.isStatic.has(n.id) || n.op.kind === 'sigmoid' || n.op.kind === 'softmax') continue;
    const p = pops.get(n.id);
    if (p !== undefined && p.counted !== 'derived') {
      if (p.countState === null) continue;
      totals.set(n.id, states.get(p.countState) as string);
      continue;
    }
    if (n.inputs.some((i) => !totals.has(i))) continue;
    const xs = inputsOf(g, plan, n, totals);
    let y: string;
    if (n.op.kind === 'relu') {
      const shape = n.shape;
      const v0 = plan.states.find((st) => st.name === `${n.id}:v`)?.init ?? 0;
      let q = g.op('Sub', [xs[0] as string, states.get(`${n.id}:v`) as string]);
      if (typeof v0 !== 'number') q = g.op('Add', [q, channelConstant(g, `${n.id}.v0`, v0, shape)]);
      else if (v0 !== 0) q = g.op('Add', [q, g.scalar(v0)]);
      const theta = plan.scales.theta.get(n.id) ?? null;
      if (theta !== null) q = g.op('Mul', [q, channelConstant(g, `${n.id}.invTheta`, theta.map((t) => 1 / t), shape)]);
      y = g.op('Round', [q]);
    } else if (isLinear(n.op)) {
      const params = plan.linear.get(n.id);
      const bias = params?.bias ?? null;
      y = emitLinear(g, n, n.op, xs[0] as string, { weight: params?.weight ?? n.op.weight, bias: null });
      if (bias !== null) y = g.op('Add', [y, g.op('Mul', [channelConstant(g, `${n.id}.bias`, bias, n.shape), steps])]);
    } else {
      y = emitNode(g, plan, n, xs);
    }
    totals.set(n.id, y);
  }
  // Per neuron, summed over the batch: the engine only keeps per-neuron totals.
  const axis0 = g.int64s([0], 'axis0');
  for (const p of plan.populations) {
    const t = totals.get(p.node.id);
    if (p.counted !== 'none' && t !== undefined) g.output(g.op('ReduceSum', [t, axis0], { keepdims: 0 }), SNN_NAMES.total(p.node.id), p.node.shape);
  }
  return g.encode({ docString: 'Spikelab SNN: spikes per neuron since the reset, summed over the batch (counters, or derived from the final states)' });
}
