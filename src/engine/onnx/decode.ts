// ONNX file bytes → a plain, validated model description (protobufjs static code from onnx-proto).
// Everything the file can get wrong at this level becomes an OnnxFormatError: nothing here trusts
// a length, a count or a name from the file.
import onnxProto, { type onnx } from 'onnx-proto';
import { ONNX_FILE_MAX_BYTES } from '../../formats/model.js';
import { OnnxFormatError, OnnxUnsupportedError, safeName } from './errors.js';
import { decodeTensor, type Const } from './tensor.js';

const { ModelProto } = onnxProto.onnx;

/** Bounds on what an import decodes and folds. */
export interface OnnxLimits {
  /** Largest file accepted. */
  readonly maxBytes: number;
  /** Most nodes in the main graph. */
  readonly maxNodes: number;
  /** Most elements in one tensor (initializer, attribute or folded constant). */
  readonly maxElements: number;
}

export const DEFAULT_ONNX_LIMITS: OnnxLimits = { maxBytes: ONNX_FILE_MAX_BYTES, maxNodes: 100_000, maxElements: 1 << 26 };

/** Default-domain opsets the importer maps (PyTorch 1.13 / 2.x and tf2onnx emit 9–21). */
export const OPSET_RANGE = { min: 7, max: 21 } as const;

export interface ValueInfo {
  readonly name: string;
  /** TensorProto.DataType of the elements, null when the file does not say. */
  readonly elemType: number | null;
  /** Dims: a number, a symbolic name, or null (unknown); null for an unknown rank. */
  readonly dims: readonly (number | string | null)[] | null;
}

export interface OnnxNode {
  /** Unique display name: the node's own name, or `<op_type>#<index>` (sanitised). */
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  /** Input value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, onnx.IAttributeProto>;
}

export interface OnnxModel {
  readonly irVersion: number;
  /** Version of the default (ai.onnx) operator set. */
  readonly opset: number;
  readonly producer: { readonly name: string; readonly version: string };
  readonly input: ValueInfo;
  readonly output: ValueInfo;
  readonly initializers: ReadonlyMap<string, Const>;
  /** Nodes in topological order. */
  readonly nodes: readonly OnnxNode[];
}

function toNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function valueInfo(v: onnx.IValueInfoProto): ValueInfo {
  const t = v.type?.tensorType;
  const shape = t?.shape;
  const dims = shape
    ? (shape.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : d.dimParam ? safeName(d.dimParam, 32) : null))
    : null;
  return { name: v.name ?? '', elemType: t?.elemType ?? null, dims };
}

function decodeProto(bytes: Uint8Array): onnx.ModelProto {
  try {
    return ModelProto.decode(bytes);
  } catch (e) {
    // protobufjs reports offsets and wire types, never content; stack overflows (absurd nesting) land here too
    const why = e instanceof Error ? safeName(e.message, 120) : 'unknown decoding error';
    throw new OnnxFormatError(`not an ONNX model or a truncated file (protobuf decoding failed: ${why})`);
  }
}

/** Orders nodes so that every input is produced before use (Kahn); a cycle or an undefined input is an error. */
function topoSort(nodes: OnnxNode[], defined: ReadonlySet<string>): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (producer.has(o) || defined.has(o)) throw new OnnxFormatError(`value '${safeName(o)}' is produced twice (by node '${n.name}')`);
      producer.set(o, i);
    }
  });
  const waiting = nodes.map(() => 0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const v of new Set(n.inputs)) {
      if (v === '' || defined.has(v)) continue;
      const p = producer.get(v);
      if (p === undefined) throw new OnnxFormatError(`node '${n.name}' (${safeName(n.opType)}) reads '${safeName(v)}', which no node, input or initializer defines`);
      waiting[i] = (waiting[i] as number) + 1;
      (users[p] as number[]).push(i);
    }
  });
  const ready = nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  const order: OnnxNode[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k] as number;
    order.push(nodes[i] as OnnxNode);
    for (const u of users[i] as number[]) {
      waiting[u] = (waiting[u] as number) - 1;
      if (waiting[u] === 0) ready.push(u);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => (waiting[i] as number) > 0) as OnnxNode;
    throw new OnnxFormatError(`the graph has a cycle through node '${stuck.name}'`);
  }
  return order;
}

/**
 * Decodes and validates an ONNX file: one ModelProto with a graph, a default-domain opset in
 * OPSET_RANGE, weights inside the file, exactly one graph input that is not an initializer, exactly
 * one output, nodes only from the default domain, no cycles, at most `limits` in size.
 */
export function decodeOnnx(bytes: Uint8Array, limits: OnnxLimits = DEFAULT_ONNX_LIMITS): OnnxModel {
  if (bytes.length === 0) throw new OnnxFormatError('the file is empty');
  if (bytes.length > limits.maxBytes) throw new OnnxFormatError(`the file has ${bytes.length} bytes, above the limit of ${limits.maxBytes}`);
  const model = decodeProto(bytes);
  const graph = model.graph;
  const irVersion = toNumber(model.irVersion);
  const protoNodes = graph?.node ?? [];
  if (!graph || irVersion <= 0 || protoNodes.length === 0) {
    throw new OnnxFormatError('not an ONNX model (no IR version or no graph with nodes)');
  }
  const defaultSet = model.opsetImport.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  const opset = defaultSet ? toNumber(defaultSet.version) : 0;
  if (opset < OPSET_RANGE.min || opset > OPSET_RANGE.max) {
    throw new OnnxFormatError(defaultSet ? `opset ${opset} is outside the supported ${OPSET_RANGE.min}–${OPSET_RANGE.max}` : 'the model imports no default (ai.onnx) opset');
  }
  if ((graph.sparseInitializer?.length ?? 0) > 0) throw new OnnxFormatError('sparse initializers are not supported');
  if (protoNodes.length > limits.maxNodes) throw new OnnxFormatError(`the graph has ${protoNodes.length} nodes, above the limit of ${limits.maxNodes}`);

  const initializers = new Map<string, Const>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (name === '') throw new OnnxFormatError('an initializer has no name');
    initializers.set(name, decodeTensor(t, `initializer '${safeName(name)}'`, limits.maxElements));
  }
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ''));
  if (inputs.length !== 1) {
    const names = inputs.map((v) => `'${safeName(v.name ?? '', 40)}'`).slice(0, 5).join(', ');
    throw new OnnxFormatError(inputs.length === 0 ? 'the graph has no input' : `the graph has ${inputs.length} inputs (${names}); Spikelab imports models with one image input (weights must be initializers in the file)`);
  }
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) {
    throw new OnnxFormatError(outputs.length === 0 ? 'the graph has no output' : `the graph has ${outputs.length} outputs; Spikelab imports models with one output`);
  }

  const seen = new Set<string>();
  const nodes: OnnxNode[] = protoNodes.map((n, i) => {
    const opType = n.opType ?? '';
    let name = safeName(n.name || `${opType}#${i}`);
    if (seen.has(name)) name = `${name}#${i}`;
    seen.add(name);
    const domain = n.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') {
      throw new OnnxUnsupportedError(name, safeName(opType), `operator domain '${safeName(domain, 40)}' is not the standard ONNX domain`);
    }
    const attrs = new Map<string, onnx.IAttributeProto>();
    for (const a of n.attribute ?? []) attrs.set(a.name ?? '', a);
    return { name, opType, domain, inputs: n.input ?? [], outputs: n.output ?? [], attrs };
  });
  const input = valueInfo(inputs[0] as onnx.IValueInfoProto);
  const defined = new Set<string>([input.name, ...initializers.keys()]);
  return {
    irVersion,
    opset,
    producer: { name: safeName(model.producerName ?? '', 40), version: safeName(model.producerVersion ?? '', 40) },
    input,
    output: valueInfo(outputs[0] as onnx.IValueInfoProto),
    initializers,
    nodes: topoSort(nodes, defined),
  };
}
