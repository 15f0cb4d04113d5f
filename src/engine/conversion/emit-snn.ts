import { isLinear, nodeById, type GraphNode } from '../ir/graph.js';
import { emitLinear, emitStateless } from '../ort/emit-ops.js';
import { OnnxGraph } from '../ort/proto.js';
import { channelConstant, emitGateStep, emitIfStep, emitLipoolStep } from './emit-neurons.js';
import type { SnnPlan } from './snn-plan.js';

/** Names of the SNN graphs' inputs and outputs (the exported file's contract, see README). */
export const SNN_NAMES = {
  input: 'input',
  static: (id: string): string => `static:${id}`,
  state: (name: string): string => `state:${name}`,
  next: (name: string): string => `next:${name}`,
  /** Σ_{τ≤t} output_τ after the k-th step of a call (k = 1..K). */
  output: (k: number): string => `output:${k}`,
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
    return g.op('Mul', [v, channelConstant(g, `${n.id}.factor${k}`, f, (byId.get(i) as GraphNode).shape)]);
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
function emitSteps(g: OnnxGraph, plan: SnnPlan, statics: ReadonlyMap<string, string>, states: Map<string, string>, steps: number): string[] {
  const { gamma, reset } = plan.options;
  const outputs: string[] = [];
  const get = (name: string): string => states.get(name) as string;
  const has = (name: string): boolean => states.has(name);
  const outNode = plan.graph.nodes.find((m) => m.id === plan.graph.output) as GraphNode;
  for (let k = 1; k <= steps; k++) {
    const values = new Map(statics);
    for (const n of plan.graph.nodes) {
      if (plan.isStatic.has(n.id)) continue;
      const xs = inputsOf(g, plan, n, values);
      let y: string;
      if (n.op.kind === 'relu') {
        const count = has(`${n.id}:n`) ? get(`${n.id}:n`) : null;
        const r = emitIfStep(g, get(`${n.id}:v`), xs[0] as string, { gamma, reset, theta: plan.scales.theta.get(n.id) ?? null, shape: n.shape, key: n.id }, count);
        states.set(`${n.id}:v`, r.v);
        if (r.n !== null) states.set(`${n.id}:n`, r.n);
        y = r.s;
      } else if (n.op.kind === 'maxPool' && has(`${n.id}:c`)) {
        const r = emitLipoolStep(g, get(`${n.id}:c`), get(`${n.id}:m`), xs[0] as string, n.op);
        states.set(`${n.id}:c`, r.c);
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
    let out = values.get(plan.graph.output) as string;
    if (plan.readout !== null) out = g.op('Mul', [out, channelConstant(g, 'readout', plan.readout, outNode.shape)]);
    const acc = g.op('Add', [get('output:acc'), out]);
    states.set('output:acc', acc);
    outputs.push(acc);
  }
  return outputs;
}

function declareStates(g: OnnxGraph, plan: SnnPlan): Map<string, string> {
  return new Map(plan.states.map((s) => [s.name, g.input(SNN_NAMES.state(s.name), [BATCH, ...s.shape])]));
}

function finishSteps(g: OnnxGraph, plan: SnnPlan, outputs: readonly string[], states: ReadonlyMap<string, string>): void {
  const outShape = (plan.graph.nodes.find((m) => m.id === plan.graph.output) as GraphNode).shape;
  outputs.forEach((o, i) => g.output(o, SNN_NAMES.output(i + 1), [BATCH, ...outShape]));
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
  finishSteps(g, plan, emitSteps(g, plan, statics, states, steps), states);
  return g.encode({ docString: `Spikelab SNN: ${steps} time steps per call` });
}

/**
 * The standalone SNN file: `input` and `state:<name>` in; the input-only part computed inside
 * (also given out as `static:<id>`, so it is the very value the engine's two graphs pass on);
 * `output:1..K` and `next:<name>` out.
 */
export function emitSnnModel(plan: SnnPlan, steps: number, metadata: Readonly<Record<string, string>>, docString: string): Uint8Array {
  const g = new OnnxGraph('spikelab_snn');
  const inShape = (plan.graph.nodes.find((m) => m.id === plan.graph.input) as GraphNode).shape;
  const input = g.input(SNN_NAMES.input, [BATCH, ...inShape]);
  const values = emitStatic(g, plan, input);
  const byId = nodeById(plan.graph);
  const statics = new Map(plan.staticOutputs.map((id) => [id, values.get(id) as string]));
  const states = declareStates(g, plan);
  finishSteps(g, plan, emitSteps(g, plan, statics, states, steps), states);
  for (const id of plan.staticOutputs) {
    if (id !== plan.graph.input) g.output(values.get(id) as string, SNN_NAMES.static(id), [BATCH, ...(byId.get(id) as GraphNode).shape]);
  }
  return g.encode({ docString, metadata });
}
