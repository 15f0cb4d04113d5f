// Hybrid models (design: README "Hybrid heads"): the ops after a model's last activation site that no
// spiking neuron computes (attention pooling: MatMul of two computed tensors, Softmax over tokens,
// ReduceMean, Reshape/Transpose with computed shapes, …) become one analog-head IR node that carries
// those ONNX nodes as a model of their own, for ONNX Runtime to evaluate. Only the head may hold them:
// the spiking body before the last site is imported op by op and refused as before.
import onnxProto, { type onnx } from 'onnx-proto';
import { ANALOG_HEAD_INPUT, ANALOG_HEAD_OUTPUT, type AnalogHead } from '../ir/graph.js';
import type { Value } from './context.js';
import type { OnnxModel, OnnxNode } from './decode.js';
import { OnnxShapeError, OnnxUnsupportedError, safeName } from './errors.js';
import { DT, dtypeName, type Const } from './tensor.js';

const { onnx: O } = onnxProto;

/** The lowest opset an analog head may come in (the engine's emitted graphs are opset 13; heads raise it). */
export const ANALOG_MIN_OPSET = 13;

/** The candidate head of a model: its last activation node (Relu or Clip) and every live node that depends on its output. */
export interface HeadSplit {
  readonly site: OnnxNode;
  readonly nodes: ReadonlySet<OnnxNode>;
}

export function headSplit(live: readonly OnnxNode[]): HeadSplit | null {
  let site: OnnxNode | undefined;
  for (const n of live) if (n.opType === 'Relu' || n.opType === 'Clip') site = n;
  const first = site?.outputs[0];
  if (site === undefined || first === undefined || first === '') return null;
  const reached = new Set<string>([first]);
  const nodes = new Set<OnnxNode>();
  for (const n of live.slice(live.indexOf(site) + 1)) {
    if (!n.inputs.some((i) => reached.has(i))) continue;
    nodes.add(n);
    for (const o of n.outputs) if (o !== '') reached.add(o);
  }
  return nodes.size === 0 ? null : { site, nodes };
}

function tensorProto(name: string, c: Const, user: OnnxNode): onnx.ITensorProto {
  if (c.batch !== null) throw new OnnxUnsupportedError(user.name, safeName(user.opType), `its input '${safeName(name)}' depends on the batch size; an analog head computes such values itself (Shape of its own tensors)`);
  const dims = [...c.shape];
  switch (c.dtype) {
    case DT.FLOAT: {
      const f = Float32Array.from(c.data);
      return { name, dims, dataType: DT.FLOAT, rawData: new Uint8Array(f.buffer) };
    }
    case DT.DOUBLE:
      return { name, dims, dataType: DT.DOUBLE, doubleData: Array.from(c.data) };
    case DT.INT64:
      return { name, dims, dataType: DT.INT64, int64Data: Array.from(c.data) };
    case DT.INT32: case DT.INT16: case DT.INT8: case DT.UINT8: case DT.UINT16: case DT.BOOL:
      return { name, dims, dataType: c.dtype, int32Data: Array.from(c.data) };
    default:
      throw new OnnxUnsupportedError(user.name, safeName(user.opType), `its constant input '${safeName(name)}' is ${dtypeName(c.dtype)}; an analog head takes float32, float64, int and bool constants`);
  }
}

/**
 * The analog head's ONNX model: the head nodes in order, reading the site's output as input `x`,
 * every constant they read (initializers, folded Constant nodes) as initializers, the model's
 * output as `y` [N, ...outShape]. `value` gives the importer's value of a name outside the head;
 * anything computed other than the site is refused (the head sees one tensor of the spiking body).
 */
export function buildAnalogHead(model: OnnxModel, split: HeadSplit, value: (name: string) => Value | undefined, siteShape: readonly number[]): { head: AnalogHead; shape: number[]; parameters: number } {
  if (model.opset < ANALOG_MIN_OPSET) {
    const n = [...split.nodes][0] as OnnxNode;
    throw new OnnxUnsupportedError(n.name, safeName(n.opType), `an analog head (the ops after the last ReLU, evaluated by ONNX Runtime) needs opset ≥ ${ANALOG_MIN_OPSET}; the file has opset ${model.opset} (re-export it with opset_version=${ANALOG_MIN_OPSET} or later)`);
  }
  const siteValue = split.site.outputs[0] as string;
  const produced = new Set<string>([siteValue]);
  const inits = new Map<string, onnx.ITensorProto>();
  const nodes: onnx.INodeProto[] = [];
  const ops: string[] = [];
  let parameters = 0;
  for (const n of split.nodes) {
    for (const a of n.attrs.values()) {
      if (a.g || (a.graphs?.length ?? 0) > 0) throw new OnnxUnsupportedError(n.name, safeName(n.opType), 'control flow (a node holding a subgraph) is not supported in an analog head');
    }
    for (const i of n.inputs) {
      if (i === '' || produced.has(i) || inits.has(i)) continue;
      const v = value(i);
      if (v === undefined) throw new OnnxUnsupportedError(n.name, safeName(n.opType), `input '${safeName(i)}' is not computed by Spikelab`);
      if (v.kind === 'tensor') {
        throw new OnnxUnsupportedError(n.name, safeName(n.opType), `it reads '${safeName(i)}' of the spiking body; an analog head may read only the last activation site '${split.site.name}' (and constants)`);
      }
      inits.set(i, tensorProto(i, v.c, n));
      if (v.c.dtype === DT.FLOAT) parameters += v.c.data.length;
    }
    for (const o of n.outputs) if (o !== '') produced.add(o);
    if (!ops.includes(n.opType)) ops.push(n.opType);
    nodes.push({ name: n.name, opType: n.opType, domain: n.domain, input: [...n.inputs], output: [...n.outputs], attribute: [...n.attrs.values()] });
  }
  const out = model.output;
  if (!produced.has(out.name)) throw new OnnxShapeError("the model's output is not computed by its analog head");
  const dims = out.dims;
  const shape = dims === null ? [] : dims.slice(1);
  if (dims === null || dims.length < 2 || shape.some((d) => typeof d !== 'number')) {
    throw new OnnxShapeError(`the output '${safeName(out.name)}' of the analog head has no fixed per-sample shape in the file ([${(dims ?? []).map(String).join(', ')}])`);
  }
  const valueInfo = (name: string, d: readonly (number | string)[]): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: DT.FLOAT, shape: { dim: d.map((x) => (typeof x === 'string' ? { dimParam: x } : { dimValue: x })) } } },
  });
  // the head's own names stay; its input and output get the fixed names x and y (Identity nodes)
  nodes.unshift({ name: 'analog_head_input', opType: 'Identity', input: [ANALOG_HEAD_INPUT], output: [siteValue] });
  nodes.push({ name: 'analog_head_output', opType: 'Identity', input: [out.name], output: [ANALOG_HEAD_OUTPUT] });
  const proto = O.ModelProto.create({
    irVersion: model.irVersion,
    producerName: 'spikelab',
    opsetImport: [{ domain: '', version: model.opset }],
    graph: O.GraphProto.create({
      name: 'spikelab_analog_head',
      node: nodes,
      initializer: [...inits.values()],
      input: [valueInfo(ANALOG_HEAD_INPUT, ['N', ...siteShape])],
      output: [valueInfo(ANALOG_HEAD_OUTPUT, ['N', ...(shape as number[])])],
    }),
  });
  return { head: { model: O.ModelProto.encode(proto).finish(), opset: model.opset, ops }, shape: shape as number[], parameters };
}
