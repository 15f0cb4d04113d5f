import type * as tfl from '@tensorflow/tfjs-layers';
import { UnsupportedLayerError } from '../errors.js';
import type { Graph, GraphNode, GraphOp, Pair, Padding, Weight } from './graph.js';

// tfjs-layers does not export Layer/SymbolicTensor/Node from its entry as values we can use for
// typing, so we describe the few members we read.
type Layer = tfl.layers.Layer;
type SymbolicTensor = tfl.SymbolicTensor;
interface LayerNode {
  inputTensors: SymbolicTensor[];
}
type Config = Record<string, unknown>;

const IDENTITY_CLASSES = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'AlphaDropout',
  'GaussianDropout',
  'GaussianNoise',
]);

/**
 * Extracts the converter's graph from a tfjs-layers model (Sequential, functional, or nested
 * models, which are inlined). Every call of a layer is its own node (`name#k` for the k-th call of
 * a shared layer), a 'relu' activation inside conv/dense becomes a separate `<layer>/relu` node,
 * and dropout/input layers pass through. Anything else throws UnsupportedLayerError naming the
 * node and its class. Weights are copied, so the graph does not keep the model's tensors alive.
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
  const graph: Graph = { nodes: ex.nodes, input: input.id, output };
  validateHeads(graph);
  return graph;
}

interface Scope {
  prefix: string;
  /** Input tensors of an inlined nested model, by SymbolicTensor id, mapped to outer node ids. */
  inputs: Map<number, string>;
}

class Extractor {
  readonly nodes: GraphNode[] = [];
  private readonly done = new Map<string, string>();

  visit(t: SymbolicTensor, scope: Scope): string {
    const mapped = scope.inputs.get(t.id);
    if (mapped !== undefined) return mapped;
    const layer = t.sourceLayer;
    const key = `${scope.prefix}${layer.name}#${t.nodeIndex}#${t.tensorIndex}`;
    const seen = this.done.get(key);
    if (seen !== undefined) return seen;
    const calls = layer.inboundNodes.length;
    const id = `${scope.prefix}${layer.name}${calls > 1 ? `#${t.nodeIndex + 1}` : ''}`;
    const node = layer.inboundNodes[t.nodeIndex] as unknown as LayerNode | undefined;
    if (node === undefined) throw new UnsupportedLayerError(id, layer.getClassName(), 'tensor without a producing call');
    if (t.tensorIndex !== 0) throw new UnsupportedLayerError(id, layer.getClassName(), 'layers with several outputs are not supported');
    if (layer.getClassName() === 'InputLayer') {
      // An InputLayer's node lists its own output as input: it is a leaf.
      const shape = t.shape.slice(1).map((d) => d ?? -1);
      const out = this.add(layer, id, { kind: 'input' }, [], shape);
      this.done.set(key, out);
      return out;
    }
    if (isModel(layer)) {
      const inner = layer as unknown as tfl.LayersModel;
      const inputIds = node.inputTensors.map((x) => this.visit(x, scope));
      if (inner.inputs.length !== inputIds.length || inner.outputs.length !== 1) {
        throw new UnsupportedLayerError(id, layer.getClassName(), 'nested model with several outputs or mismatched inputs');
      }
      const map = new Map<number, string>();
      inner.inputs.forEach((x, i) => map.set(x.id, inputIds[i] as string));
      const out = this.visit(inner.outputs[0] as SymbolicTensor, { prefix: `${id}/`, inputs: map });
      this.done.set(key, out);
      return out;
    }
    const inputIds = node.inputTensors.map((x) => this.visit(x, scope));
    const shape = t.shape.slice(1).map((d) => {
      if (d === null) throw new UnsupportedLayerError(id, layer.getClassName(), `unknown output dimension in shape [${t.shape.join(', ')}]`);
      return d;
    });
    const out = this.convert(layer, id, inputIds, shape);
    this.done.set(key, out);
    return out;
  }

  private add(layer: Layer, id: string, op: GraphOp, inputs: string[], shape: number[]): string {
    this.nodes.push({ id, layer: layer.name, className: layer.getClassName(), op, inputs, shape });
    return id;
  }

  /** Adds the node(s) of one layer call; returns the id of the node holding its output. */
  private convert(layer: Layer, id: string, inputs: string[], shape: number[]): string {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Config;
    const fail = (reason: string): never => {
      throw new UnsupportedLayerError(id, cls, reason);
    };
    const one = (): string[] => (inputs.length === 1 ? inputs : fail(`expected one input, got ${inputs.length}`));
    if (cfg['dataFormat'] !== undefined && cfg['dataFormat'] !== 'channelsLast') fail('only channelsLast is supported');
    switch (cls) {
      case 'Conv2D': {
        const w = weights(layer, id);
        const op: GraphOp = {
          kind: 'conv2d',
          kernel: need(w, 'kernel', id, cls),
          bias: w.get('bias')?.data ?? null,
          strides: pair(cfg['strides'], id, cls),
          padding: padding(cfg['padding'], id, cls),
          dilation: pair(cfg['dilationRate'] ?? 1, id, cls),
        };
        return this.withActivation(layer, id, op, one(), shape, cfg['activation']);
      }
      case 'Conv2DTranspose': {
        const w = weights(layer, id);
        const op: GraphOp = {
          kind: 'conv2dTranspose',
          kernel: need(w, 'kernel', id, cls),
          bias: w.get('bias')?.data ?? null,
          strides: pair(cfg['strides'], id, cls),
          padding: padding(cfg['padding'], id, cls),
        };
        return this.withActivation(layer, id, op, one(), shape, cfg['activation']);
      }
      case 'Dense': {
        const w = weights(layer, id);
        const op: GraphOp = { kind: 'dense', kernel: need(w, 'kernel', id, cls), bias: w.get('bias')?.data ?? null };
        return this.withActivation(layer, id, op, one(), shape, cfg['activation']);
      }
      case 'BatchNormalization': {
        const axis = cfg['axis'];
        if (axis !== -1 && axis !== shape.length) fail(`only the channel (last) axis is supported, got axis ${String(axis)}`);
        const w = weights(layer, id);
        const op: GraphOp = {
          kind: 'batchNorm',
          gamma: w.get('gamma')?.data ?? null,
          beta: w.get('beta')?.data ?? null,
          mean: need(w, 'moving_mean', id, cls).data,
          variance: need(w, 'moving_variance', id, cls).data,
          epsilon: Number(cfg['epsilon'] ?? 1e-3),
        };
        return this.add(layer, id, op, one(), shape);
      }
      case 'ReLU': {
        const max = (layer as unknown as { maxValue?: number | null }).maxValue;
        if (max !== undefined && max !== null) fail(`ReLU with maxValue ${max} (clipped ReLU) is not supported`);
        return this.add(layer, id, { kind: 'relu' }, one(), shape);
      }
      case 'Activation':
        return this.activation(layer, id, one()[0] as string, shape, cfg['activation'], false);
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const pool = pair(cfg['poolSize'], id, cls);
        const op: GraphOp = {
          kind: cls === 'MaxPooling2D' ? 'maxPool' : 'avgPool',
          pool,
          strides: pair(cfg['strides'] ?? pool, id, cls),
          padding: padding(cfg['padding'], id, cls),
        };
        return this.add(layer, id, op, one(), shape);
      }
      case 'GlobalAveragePooling2D':
        if (cfg['keepDims'] === true) fail('keepDims is not supported');
        return this.add(layer, id, { kind: 'globalAvgPool' }, one(), shape);
      case 'Flatten':
        return this.add(layer, id, { kind: 'flatten' }, one(), shape);
      case 'Add':
        return this.add(layer, id, { kind: 'add' }, inputs, shape);
      case 'Concatenate': {
        const axis = cfg['axis'];
        if (axis !== -1 && axis !== shape.length) fail(`only concatenation on the channel (last) axis is supported, got axis ${String(axis)}`);
        return this.add(layer, id, { kind: 'concat' }, inputs, shape);
      }
      case 'UpSampling2D': {
        const interpolation = cfg['interpolation'] === 'bilinear' ? 'bilinear' : 'nearest';
        return this.add(layer, id, { kind: 'upsample', size: pair(cfg['size'], id, cls), interpolation }, one(), shape);
      }
      case 'ZeroPadding2D': {
        const pd = cfg['padding'];
        const bad = (): never => fail(`padding ${JSON.stringify(pd)} is not supported`);
        const asPair = (q: unknown): unknown[] => (Array.isArray(q) ? (q as unknown[]) : [q, q]);
        const p2: unknown[][] = Array.isArray(pd) && pd.length === 2 ? (pd as unknown[]).map(asPair) : typeof pd === 'number' ? [[pd, pd], [pd, pd]] : bad();
        const flat = p2.flat();
        if (flat.length !== 4 || !flat.every((q) => typeof q === 'number' && Number.isInteger(q))) bad();
        return this.add(layer, id, { kind: 'zeroPad', pad: flat as unknown as [number, number, number, number] }, one(), shape);
      }
      default:
        if (IDENTITY_CLASSES.has(cls)) return this.add(layer, id, { kind: 'identity' }, one(), shape);
        return fail('layer class not supported by the converter');
    }
  }

  private withActivation(layer: Layer, id: string, op: GraphOp, inputs: string[], shape: number[], act: unknown): string {
    if (act === 'linear' || act === undefined || act === null) return this.add(layer, id, op, inputs, shape);
    const inner = this.add(layer, id, op, inputs, shape);
    return this.activation(layer, `${id}/${actName(act)}`, inner, shape, act, true);
  }

  private activation(layer: Layer, id: string, input: string, shape: number[], act: unknown, inside: boolean): string {
    const kind = act === 'relu' ? 'relu' : act === 'sigmoid' ? 'sigmoid' : act === 'softmax' ? 'softmax' : act === 'linear' ? 'identity' : null;
    if (kind === null) {
      const where = inside ? 'activation inside the layer' : 'activation';
      throw new UnsupportedLayerError(id, layer.getClassName(), `${where} '${actName(act)}' is not supported (only relu, and sigmoid/softmax/linear at the output)`);
    }
    return this.add(layer, id, { kind }, [input], shape);
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
function weights(layer: Layer, id: string): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const w of layer.weights) {
    const name = (w.originalName ?? w.name).split('/').pop() ?? w.name;
    const short = name.replace(/_\d+$/, '');
    const v = w.read();
    out.set(short, { data: new Float32Array(v.dataSync()), shape: v.shape.slice() });
  }
  if (out.size !== layer.weights.length) throw new UnsupportedLayerError(id, layer.getClassName(), 'ambiguous weight names');
  return out;
}

function need(w: Map<string, Weight>, name: string, id: string, cls: string): Weight {
  const v = w.get(name);
  if (v === undefined) throw new UnsupportedLayerError(id, cls, `weight '${name}' not found`);
  return v;
}

function pair(v: unknown, id: string, cls: string): Pair {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  throw new UnsupportedLayerError(id, cls, `expected a size or a pair, got ${JSON.stringify(v)}`);
}

function padding(v: unknown, id: string, cls: string): Padding {
  if (v === 'same' || v === 'valid') return v;
  throw new UnsupportedLayerError(id, cls, `padding '${String(v)}' is not supported`);
}

/** sigmoid/softmax are only allowed as the very last operation (the head). */
function validateHeads(graph: Graph): void {
  for (const n of graph.nodes) {
    if ((n.op.kind === 'sigmoid' || n.op.kind === 'softmax') && n.id !== graph.output) {
      throw new UnsupportedLayerError(n.id, n.className, `${n.op.kind} is only supported as the output head`);
    }
  }
}
