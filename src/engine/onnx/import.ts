// ONNX file → graph IR v2 plus what the registry derives from it. One pass over the live nodes in
// topological order: constants fold, computed tensors map to IR nodes, anything else is refused
// naming the node, before the caller stores anything.
import type { ModelFamily } from '../../formats/model.js';
import type { Graph, GraphNode } from '../ir/graph.js';
import { sites } from '../ir/graph.js';
import { Attrs } from './attrs.js';
import { GraphBuilder } from './builder.js';
import { checkConvertible, checkFinite } from './check.js';
import type { MapContext, TensorValue, Value } from './context.js';
import { decodeOnnx, DEFAULT_ONNX_LIMITS, type OnnxLimits, type OnnxModel, type OnnxNode } from './decode.js';
import { annMacs } from '../conversion/sops.js';
import { deriveFamily, deriveTask } from './derive.js';
import { OnnxFormatError, OnnxImportError, OnnxUnsupportedError, safeName } from './errors.js';
import { buildAnalogHead, headSplit, type HeadSplit } from './head.js';
import { ANALOG_HEAD_OPS } from './supported.js';
import { FOLDABLE, foldOp, type FoldContext } from './fold.js';
import { resolveInput } from './input.js';
import { mapNode } from './map.js';
import { DT, makeConst } from './tensor.js';

export interface OnnxImportOptions {
  /** Per-sample input shape [C, H, W], required where the graph leaves C, H or W symbolic; checked against fixed dims. */
  readonly inputShape?: readonly number[];
  /** Checked against the class count the graph gives (a mismatch is an error, never silently used). */
  readonly numClasses?: number;
  readonly limits?: Partial<OnnxLimits>;
}

export interface OnnxImport {
  /** The model as graph IR v2 (NCHW, per-sample shapes), checked convertible. */
  readonly graph: Graph;
  /** [C, H, W] of one input image, as the IR input takes it. */
  readonly inputShape: [number, number, number];
  /** The file's own input layout; 'NHWC' means its leading Transpose(0, 3, 1, 2) was dropped and the IR takes NCHW. */
  readonly inputLayout: 'NCHW' | 'NHWC';
  readonly outputShape: readonly number[];
  readonly task: 'classification' | 'segmentation';
  /** Classes of a classifier; 1 for binary segmentation. */
  readonly numClasses: number;
  readonly family: ModelFamily;
  /** PyTorch's count over the graph's tensors: weights, biases, BN scale and shift (running statistics excluded). */
  readonly parameterCount: number;
  /** One image's forward pass, the engine's ANN MACs rule (annMacs: conv, conv-transpose, dense; BN folded; pools free). */
  readonly macs: number;
  /** Activation sites (relu nodes), i.e. spiking populations after conversion. */
  readonly reluSites: number;
  readonly opset: number;
  readonly irVersion: number;
  readonly producer: { readonly name: string; readonly version: string };
  /**
   * A hybrid model: the ops after the last activation site that the importer cannot map (e.g.
   * attention pooling) are one analog-head node (the graph's output), evaluated by ONNX Runtime;
   * null when the whole model maps op by op.
   */
  readonly hybrid: { readonly analogOps: readonly string[]; readonly site: string } | null;
}

/** Nodes that the graph output depends on, in order (dead branches are ignored, not refused). */
function liveNodes(model: OnnxModel): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  for (const n of model.nodes) for (const o of n.outputs) if (o !== '') producer.set(o, n);
  const live = new Set<OnnxNode>();
  const stack = [model.output.name];
  while (stack.length > 0) {
    const n = producer.get(stack.pop() as string);
    if (n === undefined || live.has(n)) continue;
    live.add(n);
    for (const i of n.inputs) if (i !== '') stack.push(i);
  }
  return model.nodes.filter((n) => live.has(n));
}

class Importer {
  private readonly values = new Map<string, Value>();
  private readonly uses = new Map<string, number>();
  readonly builder = new GraphBuilder();

  constructor(
    private readonly model: OnnxModel,
    private readonly limits: OnnxLimits,
    private readonly fixedBatch: number | null,
  ) {
    for (const [name, c] of model.initializers) this.values.set(name, { kind: 'const', c });
  }

  countUses(live: readonly OnnxNode[]): void {
    const bump = (v: string): void => void this.uses.set(v, (this.uses.get(v) ?? 0) + 1);
    for (const n of live) for (const i of n.inputs) if (i !== '') bump(i);
    bump(this.model.output.name);
  }

  setInput(shape: readonly number[]): TensorValue {
    const name = this.model.input.name;
    const v = this.builder.add(safeName(name), safeName(name), 'input', { kind: 'input' }, [], shape);
    this.values.set(name, v);
    return v;
  }

  alias(node: OnnxNode, v: Value): void {
    if (node.outputs[0]) this.values.set(node.outputs[0], v);
  }

  value(name: string): Value | undefined {
    return this.values.get(name);
  }

  run(node: OnnxNode): void {
    const fail = (reason: string): never => {
      throw new OnnxUnsupportedError(node.name, safeName(node.opType), reason);
    };
    const inputs = node.inputs.map((name, i) => {
      if (name === '') return null;
      return this.values.get(name) ?? fail(`input ${i} is an output that Spikelab does not compute (e.g. a mask or indices)`);
    });
    const attrs = new Attrs(node, this.limits.maxElements);
    const op = node.opType;
    let outs: Value[];
    const first = inputs[0];
    if (op === 'Shape' && first?.kind === 'tensor') {
      // the static shape of a computed tensor: [N, ...per-sample] with N symbolic, sliced by start/end (opset 15)
      const full = [0, ...first.shape];
      const r = full.length;
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const [s, e] = [clamp(attrs.int('start', 0)), clamp(attrs.int('end', r))];
      const dims = full.slice(s, e);
      outs = [{ kind: 'const', c: makeConst(DT.INT64, [dims.length], dims, full.map((_, i) => (i === 0 ? 1 : 0)).slice(s, e)) }];
    } else if (op === 'Size' && first?.kind === 'tensor') {
      outs = [{ kind: 'const', c: makeConst(DT.INT64, [], [0], [first.shape.reduce((a, b) => a * b, 1)]) }];
    } else if (FOLDABLE.has(op) && inputs.every((v) => v === null || v.kind === 'const')) {
      const consts = inputs.map((v) => (v?.kind === 'const' ? v.c : null));
      const ctx: FoldContext = { opType: op, opset: this.model.opset, attrs, maxElements: this.limits.maxElements, fail };
      outs = foldOp(consts, ctx).map((c) => ({ kind: 'const', c }));
    } else {
      outs = [mapNode(this.mapContext(node, attrs, inputs, fail), FOLDABLE.has(op))];
    }
    node.outputs.forEach((o, i) => {
      const v = outs[i];
      if (o !== '' && v !== undefined) this.values.set(o, v);
    });
  }

  private mapContext(node: OnnxNode, attrs: Attrs, inputs: readonly (Value | null)[], fail: (r: string) => never): MapContext {
    const b = this.builder;
    return {
      node,
      attrs,
      opset: this.model.opset,
      maxElements: this.limits.maxElements,
      fixedBatch: this.fixedBatch,
      input: (i) => inputs[i] ?? null,
      tensor: (i) => {
        const v = inputs[i];
        if (v === null || v === undefined) return fail(`input ${i} is missing`);
        if (v.kind !== 'tensor') return fail(`input ${i} is a constant where a computed tensor is expected`);
        return v;
      },
      constant: (i, what) => {
        const v = inputs[i];
        if (v === null || v === undefined) return null;
        if (v.kind !== 'const') return fail(`the ${what} is computed from the input; it must be a constant in the file (an initializer or Constant)`);
        return v.c;
      },
      uses: (name) => this.uses.get(name) ?? 0,
      readers: (id) => {
        let n = 0;
        for (const [name, v] of this.values) if (v.kind === 'tensor' && v.id === id) n += this.uses.get(name) ?? 0;
        return n;
      },
      irNode: (id) => b.node(id),
      replaceOp: (id, op, params) => b.replaceOp(id, op, params),
      emit: (op, ins, shape, params = [], suffix) => {
        if (shape.some((d) => !Number.isSafeInteger(d) || d < 1) || shape.reduce((a, d) => a * d, 1) > this.limits.maxElements) {
          fail(`output shape [${shape.join(', ')}] is empty or above ${this.limits.maxElements} values per sample`);
        }
        return b.add(suffix ? `${node.name}/${suffix}` : node.name, node.name, safeName(node.opType), op, ins, shape, params);
      },
      fail,
    };
  }
}

/**
 * Imports an ONNX model (bytes of a .onnx file) as graph IR v2 with its derived description.
 * Throws OnnxFormatError (unreadable file), OnnxUnsupportedError (a node Spikelab cannot import or
 * convert: names the node, its op_type and the supported list) or OnnxShapeError (shapes that
 * cannot be resolved, or options that contradict the graph); all extend OnnxImportError.
 */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): OnnxImport {
  const limits: OnnxLimits = { ...DEFAULT_ONNX_LIMITS, ...options.limits };
  const model = decodeOnnx(bytes, limits);
  if (model.initializers.has(model.output.name)) throw new OnnxFormatError("the model's output is a constant");
  const live = liveNodes(model);
  const input = resolveInput(model, live, options.inputShape, limits.maxElements);
  const split = headSplit(live);
  let failedAt: OnnxNode | null = null;
  let im: Importer;
  let graph: Graph;
  let hybrid: OnnxImport['hybrid'] = null;
  let headParameters = 0;
  try {
    im = new Importer(model, limits, input.fixedBatch);
    im.countUses(live);
    const x = im.setInput(input.shape);
    for (const node of live) {
      failedAt = node;
      if (input.absorbed.has(node)) im.alias(node, x);
      else im.run(node);
    }
    failedAt = null;
    const out = im.value(model.output.name);
    if (out === undefined || out.kind !== 'tensor') throw new OnnxFormatError("the model's output does not depend on its input");
    graph = { nodes: im.builder.nodes, input: x.id, output: out.id };
    checkConvertible(graph);
  } catch (e) {
    // A refusal inside the head (after the last ReLU) makes the model hybrid; anywhere else it stands.
    if (!(e instanceof OnnxImportError) || split === null || !inHead(split, e, failedAt)) throw e;
    ({ im, graph, hybrid, headParameters } = importHybrid(model, limits, live, input, split));
  }
  checkFinite(graph);
  const { task, numClasses } = deriveTask(graph, options.numClasses);
  const outNode = graph.nodes.find((n) => n.id === graph.output) as GraphNode;
  return {
    graph,
    inputShape: input.shape,
    inputLayout: input.layout,
    outputShape: outNode.shape,
    task,
    numClasses,
    family: deriveFamily(graph),
    parameterCount: im.builder.parameterCount() + headParameters,
    macs: annMacs(graph),
    reluSites: sites(graph).length,
    opset: model.opset,
    irVersion: model.irVersion,
    producer: model.producer,
    hybrid,
  };
}

/** Whether an import error was raised by a head node whose every op may be analog (ANALOG_HEAD_OPS) (while mapping it, or by checkConvertible naming it). */
function inHead(split: HeadSplit, e: OnnxImportError, failedAt: OnnxNode | null): boolean {
  if ([...split.nodes].some((n) => !ANALOG_HEAD_OPS.has(n.opType))) return false;
  if (failedAt !== null) return split.nodes.has(failedAt);
  return e instanceof OnnxUnsupportedError && [...split.nodes].some((n) => n.name === e.node);
}

/**
 * The hybrid import: the spiking body (every live node outside the head, kept where the last site
 * depends on it) op by op as usual, then one analog node over the last site's output.
 */
function importHybrid(model: OnnxModel, limits: OnnxLimits, live: readonly OnnxNode[], input: ReturnType<typeof resolveInput>, split: HeadSplit): { im: Importer; graph: Graph; hybrid: NonNullable<OnnxImport['hybrid']>; headParameters: number } {
  const im = new Importer(model, limits, input.fixedBatch);
  im.countUses(live);
  const x = im.setInput(input.shape);
  for (const node of live) {
    if (split.nodes.has(node)) continue;
    if (input.absorbed.has(node)) im.alias(node, x);
    else im.run(node);
  }
  const site = im.value(split.site.outputs[0] as string);
  if (site === undefined || site.kind !== 'tensor' || im.builder.node(site.id).op.kind !== 'relu') {
    throw new OnnxUnsupportedError(split.site.name, safeName(split.site.opType), 'the last activation before the analog head is not an activation site');
  }
  // Only what the site depends on is the spiking body (computed branches that fed the head alone are refused below).
  const byId = new Map(im.builder.nodes.map((n) => [n.id, n]));
  const keep = new Set<string>();
  const stack = [site.id];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (keep.has(id)) continue;
    keep.add(id);
    stack.push(...(byId.get(id)?.inputs ?? []));
  }
  const { head, shape, parameters } = buildAnalogHead(model, split, (name) => im.value(name), site.shape);
  const first = [...split.nodes][0] as OnnxNode;
  const analog: GraphNode = { id: 'analog_head', layer: first.name, className: 'AnalogHead', op: { kind: 'analog', head }, inputs: [site.id], shape };
  const graph: Graph = { nodes: [...im.builder.nodes.filter((n) => keep.has(n.id)), analog], input: x.id, output: analog.id };
  checkConvertible(graph);
  return { im, graph, hybrid: { analogOps: head.ops, site: site.id }, headParameters: parameters };
}
