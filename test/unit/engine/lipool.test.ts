import * as ort from 'onnxruntime-node';
import { emitGateStep, emitLipoolStep } from '../../../src/engine/conversion/index.js';
import type { GraphOp, Pads } from '../../../src/engine/ir/index.js';
import { OnnxGraph } from '../../../src/engine/ort/index.js';
import { maxAbsDiff, rng } from './helpers.js';

type Pool = Extract<GraphOp, { kind: 'maxPool' }>;

/** Window placement of ONNX MaxPool: output side ⌊(H + pads − ((k−1)·d + 1)) / s⌋ + 1. */
function outSide(n: number, k: number, s: number, d: number, p0: number, p1: number): number {
  return Math.floor((n + p0 + p1 - ((k - 1) * d + 1)) / s) + 1;
}

/**
 * The definition, literally, in plain JS (design/conversion.md §4), for one channel: one
 * accumulator R per (window, input j); each step R_j += x_j; y = max_j R_j; R_j −= y. Padding holds
 * no neuron.
 */
function referenceLipool(xs: Float32Array[], h: number, w: number, op: Pool): Float32Array[] {
  const [k0, k1] = op.kernel;
  const [s0, s1] = op.strides;
  const [d0, d1] = op.dilations;
  const [pt, pl, pb, pr] = op.pads;
  const oh = outSide(h, k0, s0, d0, pt, pb);
  const ow = outSide(w, k1, s1, d1, pl, pr);
  const R = new Map<string, number>();
  return xs.map((x) => {
    const y = new Float32Array(oh * ow);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const members: string[] = [];
        for (let i = 0; i < k0; i++) {
          for (let j = 0; j < k1; j++) {
            const r = oy * s0 - pt + i * d0;
            const c = ox * s1 - pl + j * d1;
            if (r < 0 || c < 0 || r >= h || c >= w) continue;
            const key = `${oy},${ox},${r},${c}`;
            R.set(key, (R.get(key) ?? 0) + (x[r * w + c] as number));
            members.push(key);
          }
        }
        const m = Math.max(...members.map((key) => R.get(key) as number));
        for (const key of members) R.set(key, (R.get(key) as number) - m);
        y[oy * ow + ox] = m;
      }
    }
    return y;
  });
}

/** T unrolled LIPool (or gate) steps over inputs x1..xT [1, 1, h, w]: the engine's own ONNX nodes. */
async function runPool(kind: 'lipool' | 'gate', xs: Float32Array[], h: number, w: number, op: Pool, oh: number, ow: number): Promise<Float32Array[]> {
  const g = new OnnxGraph('test');
  const zeros = (n: number): string => g.constant(new Float32Array(n), [1, 1, n === h * w ? h : oh, n === h * w ? w : ow]);
  let c = zeros(h * w);
  let m = kind === 'lipool' ? zeros(oh * ow) : '';
  const ins = xs.map((_, t) => g.input(`x${t}`, [1, 1, h, w]));
  ins.forEach((x, t) => {
    let y: string;
    if (kind === 'lipool') {
      const r = emitLipoolStep(g, c, m, x, op);
      [c, m, y] = [r.c, r.m, r.y];
    } else {
      const r = emitGateStep(g, c, x, op, null);
      [c, y] = [r.a, r.y];
    }
    g.output(y, `y${t}`, [1, 1, oh, ow]);
  });
  const s = await ort.InferenceSession.create(g.encode(), { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const out = await s.run(Object.fromEntries(xs.map((x, t) => [`x${t}`, new ort.Tensor('float32', x, [1, 1, h, w])])));
  await s.release();
  return xs.map((_, t) => out[`y${t}`]!.data as Float32Array);
}

const pool = (k: number, s: number, pads: Pads, d = 1): Pool => ({ kind: 'maxPool', kernel: [k, k], strides: [s, s], pads, dilations: [d, d], ceilMode: false });

const cases: [string, Pool, number, number][] = [
  ['2×2/2', pool(2, 2, [0, 0, 0, 0]), 8, 8],
  ['2×2/2 on an odd size (last row/column in no window)', pool(2, 2, [0, 0, 0, 0]), 7, 7],
  ['3×3/2, overlapping windows', pool(3, 2, [0, 0, 0, 0]), 9, 9],
  ['3×3/2, tf "same" (pad at the end)', pool(3, 2, [0, 0, 1, 1]), 8, 8],
  ['3×3/1, padded on all sides', pool(3, 1, [1, 1, 1, 1]), 5, 6],
  ['3×3/1, dilation 2', pool(3, 1, [0, 0, 0, 0], 2), 7, 7],
];

describe('LIPool (the emitted ONNX nodes)', () => {
  for (const [name, op, h, w] of cases) {
    it(`matches the accumulator definition event by event: ${name}`, async () => {
      const rand = rng(h * 31 + op.kernel[0] * 7 + op.strides[0]);
      // Burst spike counts 0..5, mostly sparse, plus one analog step.
      const xs = Array.from({ length: 12 }, (_, t) => Float32Array.from({ length: h * w }, () => (t === 5 ? rand() * 3 : rand() < 0.6 ? 0 : Math.floor(rand() * 6))));
      const ref = referenceLipool(xs, h, w, op);
      const oh = outSide(h, op.kernel[0], op.strides[0], op.dilations[0], op.pads[0], op.pads[2]);
      const ow = outSide(w, op.kernel[1], op.strides[1], op.dilations[1], op.pads[1], op.pads[3]);
      const ys = await runPool('lipool', xs, h, w, op, oh, ow);
      ys.forEach((y, t) => expect(maxAbsDiff(y, ref[t]!)).toBeLessThan(1e-4));
    });
  }

  it('the gate variant passes the current input of the neuron with the largest accumulated input (first on ties)', async () => {
    const op = pool(2, 2, [0, 0, 0, 0]);
    const ys = await runPool('gate', [[1, 0, 0, 0], [0, 3, 0, 0], [2, 0, 0, 0], [0, 0, 7, 0]].map((v) => Float32Array.from(v)), 2, 2, op, 1, 1);
    // A = [1,0,0,0] → 0 leads; A = [1,3,0,0] → 1 passes 3; A = [3,3,0,0] tie → 0 passes 2; A = [3,3,7,0] → 2 passes 7.
    expect(ys.map((y) => y[0])).toEqual([1, 3, 2, 7]);
  });
});
