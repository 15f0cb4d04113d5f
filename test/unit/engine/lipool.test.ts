import * as tf from '@tensorflow/tfjs-core';
import { gatePoolStep, gateState, lipoolState, lipoolStep, poolGeometry, type LipoolState, type Padding } from '../../../src/engine/conversion/index.js';
import { maxAbsDiff, rng, useWasm } from './helpers.js';

beforeAll(useWasm);

const cases: [number, number, Padding, number][] = [
  [2, 2, 'valid', 8],
  [2, 2, 'valid', 7], // odd size: the last row/column is outside every window
  [3, 2, 'valid', 9], // overlapping windows
  [3, 2, 'same', 8],
  [3, 1, 'same', 5],
  [2, 2, 'same', 5],
];

/**
 * The definition, literally, in plain JS: one accumulator R per (window, input j) of one channel;
 * R_j += x_j; y = max_j R_j; R_j −= y. Windows placed like tf ('same' pads before by ⌊total/2⌋).
 */
function referenceLipool(xs: Float32Array[], hw: number, k: number, s: number, pad: Padding): Float32Array[] {
  const out = pad === 'valid' ? Math.floor((hw - k) / s) + 1 : Math.ceil(hw / s);
  const before = pad === 'valid' ? 0 : Math.floor(Math.max((out - 1) * s + k - hw, 0) / 2);
  const R = new Map<string, number>();
  return xs.map((x) => {
    const y = new Float32Array(out * out);
    for (let oy = 0; oy < out; oy++) {
      for (let ox = 0; ox < out; ox++) {
        const members: string[] = [];
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const r = oy * s - before + i;
            const c = ox * s - before + j;
            if (r < 0 || c < 0 || r >= hw || c >= hw) continue;
            const key = `${oy},${ox},${r},${c}`;
            R.set(key, (R.get(key) ?? 0) + (x[r * hw + c] as number));
            members.push(key);
          }
        }
        const m = Math.max(...members.map((key) => R.get(key) as number));
        for (const key of members) R.set(key, (R.get(key) as number) - m);
        y[oy * out + ox] = m;
      }
    }
    return y;
  });
}

describe('lipoolStep', () => {
  for (const [k, s, pad, hw] of cases) {
    it(`matches the accumulator definition step by step (${k}×${k}/${s} ${pad}, ${hw}×${hw})`, () => {
      const g = poolGeometry([hw, hw, 1], [k, k], [s, s], pad);
      const rand = rng(k * 7 + hw);
      const xs = Array.from({ length: 10 }, () => Float32Array.from({ length: hw * hw }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * 6))));
      const ref = referenceLipool(xs, hw, k, s, pad);
      tf.tidy(() => {
        let st: LipoolState = lipoolState(1, g);
        xs.forEach((x, t) => {
          const o = lipoolStep(st, tf.tensor(x, [1, hw, hw, 1]), g);
          st = o.state;
          expect(maxAbsDiff(o.y.dataSync(), ref[t]!)).toBeLessThan(1e-5);
        });
      });
    });
  }

  for (const [k, s, pad, hw] of cases) {
    it(`Σ outputs = max of Σ inputs at every step (${k}×${k}/${s} ${pad}, ${hw}×${hw})`, () => {
      const before = tf.memory().numTensors;
      const g = poolGeometry([hw, hw, 3], [k, k], [s, s], pad);
      const rand = rng(k * 100 + hw);
      let r: LipoolState = lipoolState(2, g);
      let sumX = tf.zeros([2, hw, hw, 3]);
      let sumY = tf.zeros([2, g.outH, g.outW, 3]);
      for (let t = 0; t < 12; t++) {
        // Burst spike counts 0..5, mostly sparse.
        const x = tf.tensor(Float32Array.from({ length: 2 * hw * hw * 3 }, () => (rand() < 0.6 ? 0 : Math.floor(rand() * 6))), [2, hw, hw, 3]);
        const out = lipoolStep(r, x, g);
        r.c.dispose();
        r.m.dispose();
        r = out.state;
        const nx = tf.add(sumX, x);
        const ny = tf.add(sumY, out.y);
        [sumX, sumY, x, out.y].forEach((u) => u.dispose());
        sumX = nx;
        sumY = ny;
        const ref = tf.maxPool(sumX as tf.Tensor4D, [k, k], [s, s], pad);
        expect(maxAbsDiff(sumY.dataSync(), ref.dataSync())).toBeLessThan(1e-4);
        ref.dispose();
      }
      [r.c, r.m, sumX, sumY].forEach((u) => u.dispose());
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('the gate variant passes the current input of the neuron with the largest accumulated input', () => {
    tf.tidy(() => {
      const g = poolGeometry([2, 2, 1], [2, 2], [2, 2], 'valid');
      let a = gateState(1, g);
      const step = (v: number[]): number => {
        const o = gatePoolStep(a, tf.tensor(v, [1, 2, 2, 1]), g);
        a = o.r;
        return o.y.dataSync()[0] as number;
      };
      expect(step([1, 0, 0, 0])).toBe(1); // A = [1,0,0,0] → neuron 0 leads
      expect(step([0, 3, 0, 0])).toBe(3); // A = [1,3,0,0] → neuron 1 leads, passes its 3
      expect(step([2, 0, 0, 0])).toBe(2); // A = [3,3,0,0] → tie: the first (neuron 0) passes its 2
    });
  });
});
