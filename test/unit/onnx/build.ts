// Builds small ONNX models in the tests (onnx-proto's encoder), for cases no exporter here emits:
// other opsets' attribute forms, NHWC inputs, malformed graphs.
import onnxProto, { type onnx } from 'onnx-proto';

const { ModelProto } = onnxProto.onnx;

export type AttrValue = { i: number } | { f: number } | { s: string } | { ints: number[] } | { floats: number[] } | { t: onnx.ITensorProto };

export const FLOAT = 1;
export const INT64 = 7;

export function tensor(name: string, dims: number[], values: ArrayLike<number>, dataType = FLOAT): onnx.ITensorProto {
  return dataType === FLOAT
    ? { name, dims, dataType, floatData: Array.from(values) }
    : { name, dims, dataType, int64Data: Array.from(values) };
}

export function ints(name: string, values: number[]): onnx.ITensorProto {
  return tensor(name, [values.length], values, INT64);
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  if ('i' in v) return { name, type: 2, i: v.i };
  if ('f' in v) return { name, type: 1, f: v.f };
  if ('s' in v) return { name, type: 3, s: Buffer.from(v.s) };
  if ('ints' in v) return { name, type: 7, ints: v.ints };
  if ('floats' in v) return { name, type: 6, floats: v.floats };
  return { name, type: 4, t: v.t };
}

export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name = outputs[0] ?? opType, domain = ''): onnx.INodeProto {
  return { opType, input: inputs, output: outputs, name, domain, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) };
}

export function valueInfo(name: string, dims: (number | string)[] | null, elemType = FLOAT): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, ...(dims && { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } }) } },
  };
}

export interface ModelParts {
  opset?: number;
  inputs?: onnx.IValueInfoProto[];
  outputs?: onnx.IValueInfoProto[];
  initializers?: onnx.ITensorProto[];
  nodes: onnx.INodeProto[];
  extraOpsets?: { domain: string; version: number }[];
}

/** One image input 'x' [N, ...dims] and output 'y' unless given. */
export function model(p: ModelParts, xDims: (number | string)[] = ['N', 1, 4, 4]): Uint8Array {
  return ModelProto.encode({
    irVersion: 8,
    producerName: 'spikelab-test',
    opsetImport: [{ domain: '', version: p.opset ?? 13 }, ...(p.extraOpsets ?? [])],
    graph: {
      name: 'g',
      input: p.inputs ?? [valueInfo('x', xDims)],
      output: p.outputs ?? [valueInfo('y', null)],
      initializer: p.initializers ?? [],
      node: p.nodes,
    },
  }).finish();
}

/** Deterministic values in [-1, 1) (mulberry32). */
export function values(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}
