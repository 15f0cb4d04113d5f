import type * as tfl from '@tensorflow/tfjs-layers';
import { extractGraph } from './extract.js';
import { channels, consumers, nodeById, size, type Graph, type GraphNode, type Pair, type Padding } from './graph.js';

/**
 * ANN multiply-accumulates for one sample, one forward pass: Σ over conv2d (H_out·W_out·C_out·kh·kw·C_in),
 * conv2d-transpose (H_in·W_in·C_in·kh·kw·C_out) and dense (positions·in·out). Batch-norm is
 * assumed folded (it adds no MACs); pooling, adds and activations are not counted.
 */
export function annMacs(model: tfl.LayersModel | Graph): number {
  const graph = 'nodes' in model ? model : extractGraph(model);
  const byId = nodeById(graph);
  let macs = 0;
  for (const n of graph.nodes) {
    const input = byId.get(n.inputs[0] ?? '');
    if (input === undefined) continue;
    if (n.op.kind === 'conv2d' || n.op.kind === 'conv2dTranspose') {
      const [kh, kw] = n.op.kernel.shape as [number, number];
      const spatial = n.op.kind === 'conv2d' ? size(n.shape) / channels(n) : size(input.shape) / channels(input);
      macs += spatial * kh * kw * channels(input) * channels(n);
    } else if (n.op.kind === 'dense') {
      macs += size(input.shape) * channels(n);
    }
  }
  return macs;
}

/**
 * Synaptic fan-out of every element of node `id`'s output (per-sample layout): how many synaptic
 * operations (accumulates) one spike there causes downstream. Through pass-through ops (identity,
 * flatten, concat, upsample, zero padding, average pools) the spike's copies are followed; a conv2d adds C_out
 * per kernel tap that reaches it (borders and strides exact), conv2d-transpose likewise, dense adds
 * its units, a residual add counts 1 (the identity synapse) plus what the sum feeds. Other
 * populations (sites, max-pools) and the head end the path.
 * SOPs of a population = Σ_neurons (spikes emitted × fan-out), design/conversion.md §6.
 */
export function fanout(graph: Graph, id: string): Float32Array {
  return new Fanout(graph).of(id);
}

class Fanout {
  private readonly byId: Map<string, GraphNode>;
  private readonly users: Map<string, string[]>;
  private readonly memo = new Map<string, Float32Array>();

  constructor(graph: Graph) {
    this.byId = nodeById(graph);
    this.users = consumers(graph);
  }

  of(id: string): Float32Array {
    const hit = this.memo.get(id);
    if (hit !== undefined) return hit;
    const n = this.byId.get(id) as GraphNode;
    const out = new Float32Array(size(n.shape));
    for (const uid of this.users.get(id) ?? []) this.addUser(out, n, this.byId.get(uid) as GraphNode);
    this.memo.set(id, out);
    return out;
  }

  /** Pass-through users: their own fan-out, routed back to our elements. */
  private downstream(u: GraphNode): Float32Array {
    return this.of(u.id);
  }

  private addUser(out: Float32Array, n: GraphNode, u: GraphNode): void {
    const c = channels(n);
    const [h, w] = spatial(n);
    switch (u.op.kind) {
      case 'conv2d': {
        const [kh, kw] = u.op.kernel.shape as [number, number];
        const [oh, ow] = spatial(u);
        const cover = convCover(h, w, oh, ow, [kh, kw], u.op.strides, u.op.padding, u.op.dilation);
        addSpatial(out, cover, c, channels(u));
        break;
      }
      case 'conv2dTranspose': {
        const [kh, kw] = u.op.kernel.shape as [number, number];
        const [oh, ow] = spatial(u);
        addSpatial(out, deconvCover(h, w, oh, ow, [kh, kw], u.op.strides, u.op.padding), c, channels(u));
        break;
      }
      case 'dense':
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + channels(u);
        break;
      case 'add': {
        const d = this.downstream(u);
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + 1 + (d[i] as number);
        break;
      }
      case 'identity':
      case 'flatten':
      case 'softmax': {
        const d = this.downstream(u);
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (d[i] as number);
        break;
      }
      case 'concat': {
        const d = this.downstream(u);
        const total = channels(u);
        let offset = 0;
        for (const i of u.inputs) {
          if (i === n.id) break;
          offset += channels(this.byId.get(i) as GraphNode);
        }
        for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[p * c + k] = (out[p * c + k] as number) + (d[p * total + offset + k] as number);
        break;
      }
      case 'upsample': {
        const d = this.downstream(u);
        const [oh, ow] = spatial(u);
        for (let y = 0; y < oh; y++) {
          for (let x = 0; x < ow; x++) {
            const src = Math.min(Math.floor((y * h) / oh), h - 1) * w + Math.min(Math.floor((x * w) / ow), w - 1);
            for (let k = 0; k < c; k++) out[src * c + k] = (out[src * c + k] as number) + (d[(y * ow + x) * c + k] as number);
          }
        }
        break;
      }
      case 'avgPool': {
        const d = this.downstream(u);
        const [oh, ow] = spatial(u);
        forEachTap(h, w, oh, ow, u.op.pool, u.op.strides, u.op.padding, [1, 1], (src, dst) => {
          for (let k = 0; k < c; k++) out[src * c + k] = (out[src * c + k] as number) + (d[dst * c + k] as number);
        });
        break;
      }
      case 'zeroPad': {
        const d = this.downstream(u);
        const [, ow] = spatial(u);
        const [t, , l] = u.op.pad;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const dst = (y + t) * ow + x + l;
            for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = (out[(y * w + x) * c + k] as number) + (d[dst * c + k] as number);
          }
        }
        break;
      }
      case 'globalAvgPool': {
        const d = this.downstream(u);
        for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[p * c + k] = (out[p * c + k] as number) + (d[k] as number);
        break;
      }
      case 'relu':
      case 'maxPool':
      case 'sigmoid':
      case 'input':
      case 'batchNorm':
        // Another population, the head, or not a consumer at all: no synapses here.
        break;
    }
  }
}

function spatial(n: GraphNode): [number, number] {
  return n.shape.length === 3 ? [n.shape[0] as number, n.shape[1] as number] : [1, 1];
}

/** out[p·c + k] += cover[p] · cout for every channel k. */
function addSpatial(out: Float32Array, cover: Float32Array, c: number, cout: number): void {
  for (let p = 0; p < cover.length; p++) {
    const v = (cover[p] as number) * cout;
    for (let k = 0; k < c; k++) out[p * c + k] = (out[p * c + k] as number) + v;
  }
}

/** Calls fn(inputPosition, outputPosition) for every window tap that lands inside the input. */
function forEachTap(h: number, w: number, oh: number, ow: number, k: Pair, s: Pair, padding: Padding, d: Pair, fn: (src: number, dst: number) => void): void {
  const [kh, kw] = k;
  const ekh = (kh - 1) * d[0] + 1;
  const ekw = (kw - 1) * d[1] + 1;
  const pt = padding === 'same' ? Math.floor(Math.max((oh - 1) * s[0] + ekh - h, 0) / 2) : 0;
  const pl = padding === 'same' ? Math.floor(Math.max((ow - 1) * s[1] + ekw - w, 0) / 2) : 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      for (let i = 0; i < kh; i++) {
        const r = y * s[0] - pt + i * d[0];
        if (r < 0 || r >= h) continue;
        for (let j = 0; j < kw; j++) {
          const q = x * s[1] - pl + j * d[1];
          if (q >= 0 && q < w) fn(r * w + q, y * ow + x);
        }
      }
    }
  }
}

function convCover(h: number, w: number, oh: number, ow: number, k: Pair, s: Pair, padding: Padding, d: Pair): Float32Array {
  const cover = new Float32Array(h * w);
  forEachTap(h, w, oh, ow, k, s, padding, d, (src) => {
    cover[src] = (cover[src] as number) + 1;
  });
  return cover;
}

/** conv2d-transpose: input (y, x) tap (i, j) lands at output (y·s + i − crop_top, ...). */
function deconvCover(h: number, w: number, oh: number, ow: number, k: Pair, s: Pair, padding: Padding): Float32Array {
  const [kh, kw] = k;
  const ct = padding === 'same' ? Math.max(Math.floor(((h - 1) * s[0] + kh - oh) / 2), 0) : 0;
  const cl = padding === 'same' ? Math.max(Math.floor(((w - 1) * s[1] + kw - ow) / 2), 0) : 0;
  const cover = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let n = 0;
      for (let i = 0; i < kh; i++) {
        const r = y * s[0] + i - ct;
        if (r < 0 || r >= oh) continue;
        for (let j = 0; j < kw; j++) {
          const q = x * s[1] + j - cl;
          if (q >= 0 && q < ow) n++;
        }
      }
      cover[y * w + x] = n;
    }
  }
  return cover;
}
