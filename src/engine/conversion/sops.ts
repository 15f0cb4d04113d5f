import { channels, consumers, nodeById, size, type Graph, type GraphNode, type Pads, type Pair } from '../ir/graph.js';

/**
 * ANN multiply-accumulates for one sample, one forward pass: Σ over conv (H_out·W_out·C_out·kh·kw·C_in),
 * conv-transpose (H_in·W_in·C_in·kh·kw·C_out) and dense (in·out). Batch-norm is assumed folded (it
 * adds no MACs); pooling, adds and activations are not counted.
 */
export function annMacs(graph: Graph): number {
  const byId = nodeById(graph);
  let macs = 0;
  for (const n of graph.nodes) {
    const input = byId.get(n.inputs[0] ?? '');
    if (input === undefined) continue;
    if (n.op.kind === 'conv' || n.op.kind === 'convTranspose') {
      const [, , kh, kw] = n.op.weight.shape as [number, number, number, number];
      const spatial = n.op.kind === 'conv' ? size(n.shape) / channels(n) : size(input.shape) / channels(input);
      macs += spatial * kh * kw * channels(input) * channels(n);
    } else if (n.op.kind === 'dense') {
      macs += size(input.shape) * channels(n);
    }
  }
  return macs;
}

/**
 * Synaptic fan-out of every element of node `id`'s output (NCHW per-sample layout): how many
 * synaptic operations (accumulates) one spike there causes downstream. Through pass-through ops
 * (identity, flatten, reshape, transpose, concat, upsample, pad, average pools) the spike's copies
 * are followed; a conv adds C_out per kernel tap that reaches it (borders, strides and dilation
 * exact), a conv-transpose likewise, a dense layer its units, a residual add 1 (the identity
 * synapse) plus what the sum feeds. Other populations (sites, max-pools) and the head end the path.
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

  private addUser(out: Float32Array, n: GraphNode, u: GraphNode): void {
    const [c, h, w] = chw(n);
    const plane = h * w;
    /** out[src] += d[dst] for every (src, dst) that `route` yields. */
    const route = (fn: (emit: (src: number, dst: number) => void) => void): void => {
      const d = this.of(u.id);
      fn((src, dst) => {
        out[src] = (out[src] as number) + (d[dst] as number);
      });
    };
    switch (u.op.kind) {
      case 'conv': {
        const [, , kh, kw] = u.op.weight.shape as [number, number, number, number];
        const [, oh, ow] = chw(u);
        const cover = new Float32Array(plane);
        forEachTap(h, w, oh, ow, [kh, kw], u.op.strides, u.op.pads, u.op.dilations, (src) => {
          cover[src] = (cover[src] as number) + 1;
        });
        addPerPosition(out, cover, c, channels(u));
        break;
      }
      case 'convTranspose': {
        const [, , kh, kw] = u.op.weight.shape as [number, number, number, number];
        const [, oh, ow] = chw(u);
        addPerPosition(out, transposeCover(h, w, oh, ow, [kh, kw], u.op.strides, u.op.pads, u.op.dilations), c, channels(u));
        break;
      }
      case 'dense':
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + channels(u);
        break;
      case 'add': {
        const d = this.of(u.id);
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + 1 + (d[i] as number);
        break;
      }
      case 'identity':
      case 'flatten':
      case 'reshape':
      case 'softmax':
        // Row-major order is kept: element i goes to element i.
        route((emit) => {
          for (let i = 0; i < out.length; i++) emit(i, i);
        });
        break;
      case 'transpose': {
        const perm = u.op.perm;
        const inStrides = strides(n.shape);
        const outStrides = strides(u.shape);
        route((emit) => {
          for (let i = 0; i < out.length; i++) {
            let dst = 0;
            perm.forEach((p, axis) => {
              dst += (Math.floor(i / (inStrides[p] as number)) % (n.shape[p] as number)) * (outStrides[axis] as number);
            });
            emit(i, dst);
          }
        });
        break;
      }
      case 'concat': {
        const axis = u.op.axis;
        let offset = 0;
        for (const i of u.inputs) {
          if (i === n.id) break;
          offset += (this.byId.get(i) as GraphNode).shape[axis] as number;
        }
        const outer = n.shape.slice(0, axis).reduce((a, b) => a * b, 1);
        const inner = n.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
        const mine = n.shape[axis] as number;
        const total = u.shape[axis] as number;
        route((emit) => {
          for (let o = 0; o < outer; o++) {
            for (let k = 0; k < mine * inner; k++) emit(o * mine * inner + k, o * total * inner + offset * inner + k);
          }
        });
        break;
      }
      case 'upsample': {
        const [, oh, ow] = chw(u);
        const [sh, sw] = u.op.scales;
        route((emit) => {
          for (let k = 0; k < c; k++) {
            for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) emit(k * plane + Math.floor(y / sh) * w + Math.floor(x / sw), (k * oh + y) * ow + x);
          }
        });
        break;
      }
      case 'avgPool': {
        const [, oh, ow] = chw(u);
        const op = u.op;
        route((emit) => {
          forEachTap(h, w, oh, ow, op.kernel, op.strides, op.pads, [1, 1], (src, dst) => {
            for (let k = 0; k < c; k++) emit(k * plane + src, k * oh * ow + dst);
          });
        });
        break;
      }
      case 'globalAvgPool':
        route((emit) => {
          for (let k = 0; k < c; k++) for (let p = 0; p < plane; p++) emit(k * plane + p, k);
        });
        break;
      case 'pad': {
        const r = n.shape.length;
        const begin = u.op.pads.slice(0, r);
        const inStrides = strides(n.shape);
        const outStrides = strides(u.shape);
        route((emit) => {
          for (let i = 0; i < out.length; i++) {
            let dst = 0;
            for (let a = 0; a < r; a++) dst += (Math.floor(i / (inStrides[a] as number)) % (n.shape[a] as number) + (begin[a] as number)) * (outStrides[a] as number);
            emit(i, dst);
          }
        });
        break;
      }
      case 'relu':
      case 'maxPool':
      case 'sigmoid':
      case 'input':
      case 'batchNorm':
      case 'analog':
        // Another population, the head (an analog head included: its cost is not counted as SOPs),
        // or not a consumer at all: no synapses here.
        break;
    }
  }
}

/** [C, H, W] of a map; a vector [F] counts as F channels of 1×1. */
function chw(n: GraphNode): [number, number, number] {
  return n.shape.length === 3 ? (n.shape as [number, number, number]) : [size(n.shape), 1, 1];
}

function strides(shape: readonly number[]): number[] {
  return shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
}

/** out[k·plane + p] += cover[p] · cout for every channel k. */
function addPerPosition(out: Float32Array, cover: Float32Array, c: number, cout: number): void {
  const plane = cover.length;
  for (let k = 0; k < c; k++) {
    for (let p = 0; p < plane; p++) out[k * plane + p] = (out[k * plane + p] as number) + (cover[p] as number) * cout;
  }
}

/** Calls fn(inputPosition, outputPosition) for every window tap that lands inside the input. */
function forEachTap(h: number, w: number, oh: number, ow: number, k: Pair, s: Pair, pads: Pads, d: Pair, fn: (src: number, dst: number) => void): void {
  const [kh, kw] = k;
  const [pt, pl] = pads;
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

/** conv-transpose: input (y, x) tap (i, j) lands at output (y·s + i·d − pad_top, …) when inside. */
function transposeCover(h: number, w: number, oh: number, ow: number, k: Pair, s: Pair, pads: Pads, d: Pair): Float32Array {
  const [kh, kw] = k;
  const [pt, pl] = pads;
  const cover = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let n = 0;
      for (let i = 0; i < kh; i++) {
        const r = y * s[0] + i * d[0] - pt;
        if (r < 0 || r >= oh) continue;
        for (let j = 0; j < kw; j++) {
          const q = x * s[1] + j * d[1] - pl;
          if (q >= 0 && q < ow) n++;
        }
      }
      cover[y * w + x] = n;
    }
  }
  return cover;
}
