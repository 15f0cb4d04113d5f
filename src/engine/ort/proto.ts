// A small builder for ONNX ModelProto over the `onnx-proto` protobuf binding: value names, nodes,
// initializers, graph inputs/outputs. It knows nothing of the engine's IR; emitters use it.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Opset of the default domain for every graph the engine emits (ONNX 1.8, ORT ≥ 1.7, PyTorch exporters). */
export const OPSET = 13;

/** An attribute value: numbers become INT or FLOAT by type, arrays INTS; `{ floats }` forces FLOATS. */
export type AttrValue = number | string | readonly number[] | { readonly floats: readonly number[] } | { readonly float: number };

/** A dimension of a graph input/output: a size, or a symbolic name (the batch). */
export type Dim = number | string;

export class OnnxGraph {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly scalars = new Map<string, string>();
  private readonly memo = new Map<string, string>();
  private counter = 0;
  /** Default-domain opset of the encoded model: OPSET, or higher where an inlined analog head needs it. */
  private opset = OPSET;

  constructor(readonly name: string) {}

  /**
   * Inlines an analog head (a ModelProto with input `x` and output `y`, see ir/graph.ts AnalogHead)
   * reading value `x`: its nodes and initializers are copied with every value name prefixed by
   * `key/`; returns the name of its output. The model's opset rises to the head's (the ops the
   * emitters write mean the same from opset 13 to 21).
   */
  inline(model: Uint8Array, opset: number, x: string, key: string): string {
    const m = onnx.ModelProto.decode(model);
    const g = m.graph;
    if (!g || (g.input ?? []).length !== 1 || (g.output ?? []).length !== 1) throw new Error(`inline '${key}': the head model needs one input and one output`);
    const input = g.input?.[0]?.name ?? '';
    const prefix = `${key.replace(/[^A-Za-z0-9_./:#-]/g, '_')}/`;
    const rename = (v: string): string => (v === '' ? '' : v === input ? x : `${prefix}${v}`);
    for (const t of g.initializer ?? []) this.initializers.push({ ...t, name: rename(t.name ?? '') });
    for (const n of g.node ?? []) {
      if ((n.attribute ?? []).some((a) => a.g || (a.graphs?.length ?? 0) > 0)) throw new Error(`inline '${key}': node '${n.name ?? ''}' holds a subgraph`);
      this.nodes.push({ ...n, name: `${prefix}${n.name ?? ''}`, input: (n.input ?? []).map(rename), output: (n.output ?? []).map(rename) });
    }
    this.opset = Math.max(this.opset, opset);
    return rename(g.output?.[0]?.name ?? '');
  }

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix.replace(/[^A-Za-z0-9_./:#-]/g, '_')}__${this.counter++}`;
  }

  /** A float32 initializer (row-major). */
  constant(data: Float32Array, dims: readonly number[], prefix = 'const'): string {
    const name = this.fresh(prefix);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
    return name;
  }

  /** The value made by `make` the first time `key` is asked for (weights reused by unrolled steps). */
  shared(key: string, make: () => string): string {
    let name = this.memo.get(key);
    if (name === undefined) {
      name = make();
      this.memo.set(key, name);
    }
    return name;
  }

  /** A float32 scalar initializer, shared by value. */
  scalar(value: number): string {
    const key = Object.is(value, -0) ? '-0' : String(value);
    let name = this.scalars.get(key);
    if (name === undefined) {
      name = this.constant(Float32Array.of(value), [], 'scalar');
      this.scalars.set(key, name);
    }
    return name;
  }

  /** An int64 initializer (shapes, pads, indices). */
  int64s(values: readonly number[], prefix = 'ints'): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] });
    return name;
  }

  /** Adds one node; returns its output names (`outputs` of them). */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, outputs = 1, domain = ''): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(opType));
    this.nodes.push({
      opType,
      domain,
      name: outs[0] ?? this.fresh(opType),
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)),
    });
    return outs;
  }

  /** Adds one single-output node and returns the output's name. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, domain = ''): string {
    return this.node(opType, inputs, attrs, 1, domain)[0] as string;
  }

  /** Declares a float32 graph input. */
  input(name: string, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Declares a float32 graph output named `name`, fed by `value` (through an Identity when the names differ). */
  output(value: string, name: string, dims: readonly Dim[]): string {
    if (value !== name) this.nodes.push({ opType: 'Identity', name, input: [value], output: [name] });
    this.outputs.push(valueInfo(name, dims));
    return name;
  }

  /** The serialised ModelProto. Extra opset domains (e.g. com.microsoft) are imported at version 1. */
  encode(opts: { docString?: string; domains?: readonly string[]; metadata?: Readonly<Record<string, string>> } = {}): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    });
    const model = onnx.ModelProto.create({
      irVersion: irVersionFor(this.opset),
      producerName: 'spikelab',
      producerVersion: '0.1.0',
      docString: opts.docString ?? '',
      opsetImport: [{ domain: '', version: this.opset }, ...(opts.domains ?? []).map((domain) => ({ domain, version: 1 }))],
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** The ONNX IR version that goes with a default-domain opset (ONNX's release table). */
export function irVersionFor(opset: number): number {
  return opset <= 13 ? 7 : opset <= 17 ? 8 : opset <= 19 ? 9 : 10;
}

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if ('floats' in v) return { name, type: T.FLOATS, floats: [...v.floats] };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.INTS, ints: [...v] };
}

function valueInfo(name: string, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}
