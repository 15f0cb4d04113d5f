import type * as tfl from '@tensorflow/tfjs-layers';
import { UnsupportedLayerError } from '../errors.js';
import type { Graph, GraphNode, GraphOp, Pair } from './graph.js';
import { dropFlattenTransposes } from './rewrite.js';
import { convKernelToOihw, convTransposeKernelToIohw, convTransposePads, denseKernelToOutIn, samePads } from './tfjs-shapes.js';

// tfjs-layers does not export Layer/SymbolicTensor/Node as values we can use for typing, so we
// describe the few members we read.
type Layer = tfl.layers.Layer;
type SymbolicTensor = tfl.SymbolicTensor;
interface LayerNode {
  inputTensors: SymbolicTensor[];
}
type Config = Record<string, unknown>;
interface RawWeight {
  data: Float32Array;
  shape: number[];
}

const IDENTITY_CLASSES = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise']);

/**
 * Extracts the engine's graph IR v2 (NCHW, ONNX layouts, see ir/graph.ts) from a tfjs-layers
 * model (Sequential, functional, nested models inlined). Every call of a layer is its own node
 * (`name#k` for the k-th call of a shared layer); a relu inside conv/dense becomes its own
 * `<layer>/relu` node; tf 'same' padding becomes explicit pads (extra at the end); a Flatten of an
 * [C, H, W] map keeps tfjs' (h, w, c) order through an explicit transpose, folded into the dense
 * layers it feeds when only dense layers read it. Anything else throws UnsupportedLayerError naming the node and its class.
 * Weights are copied: the graph does not keep the model's tensors alive.
 */
export function extractGraph(model: tfl.LayersModel): Graph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UnsupportedLayerError(
      model.name,
      model.getClassName(),
      `models with ${model.inputs.length} inputs and ${model.outputs.length} outputs are not supported (need 1 and 1)`,
    );
  }
  const ex = new Extractor();
  const output = ex.visit(model.outputs[0] as SymbolicTensor, { prefix: '', inputs: new Map() });
  const inputs = ex.nodes.filter((n) => n.op.kind === 'input');
  const input = inputs[0];
  if (input === undefined || inputs.length !== 1) {
    throw new UnsupportedLayerError(model.name, model.getClassName(), 'the output does not depend on exactly one input');
  }
  const graph = dropFlattenTransposes({ nodes: ex.nodes, input: input.id, output });
  for (const n of graph.nodes) {
    if ((n.op.kind === 'sigmoid' || n.op.kind === 'softmax') && n.id !== graph.output) {
      throw new UnsupportedLayerError(n.id, n.className, `${n.op.kind} is only supported as the output head`);
    }
  }
  return graph;
}

interface Scope {
  prefix: string;
  /** Input tensors of an inlined nested model, by SymbolicTensor id, mapped to outer node ids. */
  inputs: Map<number, string>;
}

/** tfjs per-sample shape [H, W, C] → IR [C, H, W]; vectors stay [F]. */
function toNchw(shape: readonly number[]): number[] {
  return shape.length === 3 ? [shape[2] as number, shape[0] as number, shape[1] as number] : [...shape];
}

class Extractor {
  readonly nodes: GraphNode[] = [];
  private readonly byId = new Map<string, GraphNode>();
  private readonly done = new Map<string, string>();
  visit(t: SymbolicTensor, scope: Scope): string {
    const mapped = scope.inputs.get(t.id);
    if (mapped !== undefined) return mapped;
    const layer = t.sourceLayer;
    const key = `${scope.prefix}${layer.name}#${t.nodeIndex}#${t.tensorIndex}`;
    const seen = this.done.get(key);
    if (seen !== undefined) return seen;
    const id = `${scope.prefix}${layer.name}${layer.inboundNodes.length > 1 ? `#${t.nodeIndex + 1}` : ''}`;
    const node = layer.inboundNodes[t.nodeIndex] as unknown as LayerNode | undefined;
    if (node === undefined) throw new UnsupportedLayerError(id, layer.getClassName(), 'tensor without a producing call');
    if (t.tensorIndex !== 0) throw new UnsupportedLayerError(id, layer.getClassName(), 'layers with several outputs are not supported');
    const shape = t.shape.slice(1).map((d) => {
      if (d === null) throw new UnsupportedLayerError(id, layer.getClassName(), `unknown dimension in shape [${t.shape.join(', ')}]`);
      return d;
    });
    let out: string;
    if (layer.getClassName() === 'InputLayer') {
      // An InputLayer's node lists its own output as input: it is a leaf.
      out = this.add(layer, id, { kind: 'input' }, [], toNchw(shape));
    } else if (isModel(layer)) {
      const inner = layer as unknown as tfl.LayersModel;
      const inputIds = node.inputTensors.map((x) => this.visit(x, scope));
      if (inner.inputs.length !== inputIds.length || inner.outputs.length !== 1) {
        throw new UnsupportedLayerError(id, layer.getClassName(), 'nested model with several outputs or mismatched inputs');
      }
      const map = new Map<number, string>();
      inner.inputs.forEach((x, i) => map.set(x.id, inputIds[i] as string));
      out = this.visit(inner.outputs[0] as SymbolicTensor, { prefix: `${id}/`, inputs: map });
    } else {
      out = this.convert(layer, id, node.inputTensors.map((x) => this.visit(x, scope)), shape);
    }
    this.done.set(key, out);
    return out;
  }

  private add(layer: Layer, id: string, op: GraphOp, inputs: string[], shape: number[]): string {
    const n: GraphNode = { id, layer: layer.name, className: layer.getClassName(), op, inputs, shape };
    this.nodes.push(n);
    this.byId.set(id, n);
    return id;
  }

  private shapeOf(id: string): readonly number[] {
    return (this.byId.get(id) as GraphNode).shape;
  }

  /** Adds the node(s) of one layer call; returns the id of the node holding its output. */
  private convert(layer: Layer, id: string, rawInputs: string[], tfShape: number[]): string {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Config;
    const fail = (reason: string): never => {
      throw new UnsupportedLayerError(id, cls, reason);
    };
    const shape = toNchw(tfShape);
    const inputs = rawInputs;
    const x = inputs[0] as string;
    const inShape = this.shapeOf(x);
    const [, inH = 1, inW = 1] = inShape;
    switch (cls) {
      case 'Conv2D': {
        const w = weights(layer, id);
        const kernel = convKernelToOihw(need(w, 'kernel', id, cls).data, need(w, 'kernel', id, cls).shape);
        const k: Pair = [kernel.shape[2] as number, kernel.shape[3] as number];
        const strides = pair(cfg['strides'], id, cls);
        const dilations = pair(cfg['dilationRate'] ?? 1, id, cls);
        if (dilations[0] > 1 && (strides[0] > 1 || strides[1] > 1)) fail('dilation together with stride is not supported');
        const pads = padding(cfg['padding'], id, cls) === 'same' ? samePads(inH, inW, k, strides, dilations) : ([0, 0, 0, 0] as const);
        const op: GraphOp = { kind: 'conv', weight: kernel, bias: w.get('bias')?.data ?? null, strides, pads, dilations };
        return this.withActivation(layer, id, op, [x], shape, cfg['activation']);
      }
      case 'Conv2DTranspose': {
        const w = weights(layer, id);
        const raw = need(w, 'kernel', id, cls);
        const kernel = convTransposeKernelToIohw(raw.data, raw.shape);
        if (pair(cfg['dilationRate'] ?? 1, id, cls).some((d) => d !== 1)) fail('dilation is not supported');
        const strides = pair(cfg['strides'], id, cls);
        const t = convTransposePads(inH, inW, [kernel.shape[2] as number, kernel.shape[3] as number], strides, padding(cfg['padding'], id, cls));
        if (t.outputPadding.some((p, i) => p >= (strides[i] as number))) fail('kernel smaller than stride in a way ONNX cannot express');
        const op: GraphOp = { kind: 'convTranspose', weight: kernel, bias: w.get('bias')?.data ?? null, strides, pads: t.pads, outputPadding: t.outputPadding, dilations: [1, 1] };
        return this.withActivation(layer, id, op, [x], shape, cfg['activation']);
      }
      case 'Dense': {
        if (inShape.length !== 1) fail(`dense on a rank-${inShape.length} input is not supported (flatten first)`);
        const w = weights(layer, id);
        const raw = need(w, 'kernel', id, cls);
        const op: GraphOp = { kind: 'dense', weight: denseKernelToOutIn(raw.data, raw.shape), bias: w.get('bias')?.data ?? null };
        return this.withActivation(layer, id, op, [x], shape, cfg['activation']);
      }
      case 'BatchNormalization': {
        const axis = cfg['axis'];
        if (axis !== -1 && axis !== tfShape.length) fail(`only the channel (last) axis is supported, got axis ${String(axis)}`);
        const w = weights(layer, id);
        const c = shape[0] as number;
        const op: GraphOp = {
          kind: 'batchNorm',
          scale: w.get('gamma')?.data ?? new Float32Array(c).fill(1),
          bias: w.get('beta')?.data ?? new Float32Array(c),
          mean: need(w, 'moving_mean', id, cls).data,
          variance: need(w, 'moving_variance', id, cls).data,
          epsilon: Number(cfg['epsilon'] ?? 1e-3),
        };
        return this.add(layer, id, op, [x], shape);
      }
      case 'ReLU': {
        const max = (layer as unknown as { maxValue?: number | null }).maxValue;
        return this.add(layer, id, { kind: 'relu', max: max ?? null }, [x], shape);
      }
      case 'Activation':
        return this.activation(layer, id, x, shape, cfg['activation'], false);
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const kernel = pair(cfg['poolSize'], id, cls);
        const strides = pair(cfg['strides'] ?? kernel, id, cls);
        const pads = padding(cfg['padding'], id, cls) === 'same' ? samePads(inH, inW, kernel, strides) : ([0, 0, 0, 0] as const);
        const op: GraphOp =
          cls === 'MaxPooling2D'
            ? { kind: 'maxPool', kernel, strides, pads, dilations: [1, 1], ceilMode: false }
            : { kind: 'avgPool', kernel, strides, pads, ceilMode: false, countIncludePad: false };
        return this.add(layer, id, op, [x], shape);
      }
      case 'GlobalAveragePooling2D': {
        if (cfg['keepDims'] === true) fail('keepDims is not supported');
        const c = inShape[0] as number;
        const gap = this.add(layer, `${id}/gap`, { kind: 'globalAvgPool' }, [x], [c, 1, 1]);
        return this.add(layer, id, { kind: 'flatten' }, [gap], [c]);
      }
      case 'Flatten': {
        const [c = 1] = inShape;
        if (inShape.length !== 3 || c === 1 || inH * inW === 1) return this.add(layer, id, { kind: 'flatten' }, [x], shape);
        // tfjs flattens in (h, w, c) order: transpose the NCHW map first (dropped later when only
        // dense layers read the flatten, see dropFlattenTransposes).
        const hwc = this.add(layer, `${id}/hwc`, { kind: 'transpose', perm: [1, 2, 0] }, [x], [inH, inW, c]);
        return this.add(layer, id, { kind: 'flatten' }, [hwc], shape);
      }
      case 'Add':
        return this.add(layer, id, { kind: 'add' }, inputs, shape);
      case 'Concatenate': {
        const axis = Number(cfg['axis'] ?? -1);
        const rank = tfShape.length;
        const a = axis < 0 ? axis + rank + 1 : axis; // tfjs axis counts the batch
        const irAxis = rank === 3 ? [-1, 1, 2, 0][a] : a - 1;
        if (irAxis === undefined || irAxis < 0) fail(`concatenation on axis ${axis} is not supported`);
        return this.add(layer, id, { kind: 'concat', axis: irAxis as number }, inputs, shape);
      }
      case 'UpSampling2D': {
        if (cfg['interpolation'] === 'bilinear') fail('bilinear up-sampling is not supported (nearest only)');
        return this.add(layer, id, { kind: 'upsample', scales: pair(cfg['size'], id, cls) }, [x], shape);
      }
      case 'ZeroPadding2D': {
        const pd = cfg['padding'];
        const bad = (): never => fail(`padding ${JSON.stringify(pd)} is not supported`);
        const asPair = (q: unknown): unknown[] => (Array.isArray(q) ? (q as unknown[]) : [q, q]);
        const p2: unknown[][] = Array.isArray(pd) && pd.length === 2 ? (pd as unknown[]).map(asPair) : typeof pd === 'number' ? [[pd, pd], [pd, pd]] : bad();
        const flat = p2.flat();
        if (flat.length !== 4 || !flat.every((q) => typeof q === 'number' && Number.isInteger(q) && q >= 0)) bad();
        const [t, b, l, r] = flat as number[];
        return this.add(layer, id, { kind: 'pad', pads: [0, t as number, l as number, 0, b as number, r as number] }, [x], shape);
      }
      default:
        if (IDENTITY_CLASSES.has(cls)) return this.add(layer, id, { kind: 'identity' }, [x], shape);
        return fail('layer class not supported by the converter');
    }
  }

  private withActivation(layer: Layer, id: string, op: GraphOp, inputs: string[], shape: number[], act: unknown): string {
    if (act === 'linear' || act === undefined || act === null) return this.add(layer, id, op, inputs, shape);
    const inner = this.add(layer, id, op, inputs, shape);
    return this.activation(layer, `${id}/${actName(act)}`, inner, shape, act, true);
  }

  private activation(layer: Layer, id: string, input: string, shape: number[], act: unknown, inside: boolean): string {
    const name = actName(act);
    if (name === 'relu') return this.add(layer, id, { kind: 'relu', max: null }, [input], shape);
    if (name === 'sigmoid' || name === 'softmax') return this.add(layer, id, { kind: name }, [input], shape);
    if (name === 'linear') return this.add(layer, id, { kind: 'identity' }, [input], shape);
    const where = inside ? 'activation inside the layer' : 'activation';
    throw new UnsupportedLayerError(id, layer.getClassName(), `${where} '${name}' is not supported (only relu, and sigmoid/softmax/linear at the output)`);
  }
}

/** An activation's name from a layer config (a string, or a serialised {className} object). */
function actName(act: unknown): string {
  if (typeof act === 'string') return act;
  const cls = (act as { className?: unknown } | null)?.className;
  return typeof cls === 'string' ? cls : JSON.stringify(act);
}

function isModel(layer: Layer): boolean {
  const l = layer as unknown as { layers?: unknown; inputs?: unknown; outputs?: unknown };
  return Array.isArray(l.layers) && Array.isArray(l.inputs) && Array.isArray(l.outputs);
}

/** Copies a layer's weights out by their short name ("kernel", "bias", "gamma", ...). */
function weights(layer: Layer, id: string): Map<string, RawWeight> {
  const out = new Map<string, RawWeight>();
  for (const w of layer.weights) {
    const name = (w.originalName ?? w.name).split('/').pop() ?? w.name;
    const short = name.replace(/_\d+$/, '');
    const v = w.read();
    out.set(short, { data: new Float32Array(v.dataSync()), shape: v.shape.slice() });
  }
  if (out.size !== layer.weights.length) throw new UnsupportedLayerError(id, layer.getClassName(), 'ambiguous weight names');
  return out;
}

function need(w: Map<string, RawWeight>, name: string, id: string, cls: string): RawWeight {
  const v = w.get(name);
  if (v === undefined) throw new UnsupportedLayerError(id, cls, `weight '${name}' not found`);
  return v;
}

function pair(v: unknown, id: string, cls: string): Pair {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  throw new UnsupportedLayerError(id, cls, `expected a size or a pair, got ${JSON.stringify(v)}`);
}

function padding(v: unknown, id: string, cls: string): 'same' | 'valid' {
  if (v === 'same' || v === 'valid') return v;
  throw new UnsupportedLayerError(id, cls, `padding '${String(v)}' is not supported`);
}
