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

  constructor(readonly name: string) {}

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
      irVersion: 7,
      producerName: 'spikelab',
      producerVersion: '0.1.0',
      docString: opts.docString ?? '',
      opsetImport: [{ domain: '', version: OPSET }, ...(opts.domains ?? []).map((domain) => ({ domain, version: 1 }))],
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }
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
