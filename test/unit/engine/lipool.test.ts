import * as tf from '@tensorflow/tfjs-core';
import { gatePoolStep, lipoolStep, poolGeometry, poolState, type Padding } from '../../../src/engine/conversion/index.js';
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

describe('lipoolStep', () => {
  for (const [k, s, pad, hw] of cases) {
    it(`Σ outputs = max of Σ inputs at every step (${k}×${k}/${s} ${pad}, ${hw}×${hw})`, () => {
      const before = tf.memory().numTensors;
      const g = poolGeometry([hw, hw, 3], [k, k], [s, s], pad);
      const rand = rng(k * 100 + hw);
      let r = poolState(2, g);
      let sumX = tf.zeros([2, hw, hw, 3]);
      let sumY = tf.zeros([2, g.outH, g.outW, 3]);
      for (let t = 0; t < 12; t++) {
        // Burst spike counts 0..5, mostly sparse.
        const x = tf.tensor(Float32Array.from({ length: 2 * hw * hw * 3 }, () => (rand() < 0.6 ? 0 : Math.floor(rand() * 6))), [2, hw, hw, 3]);
        const out = lipoolStep(r, x, g);
        r.dispose();
        r = out.r;
        const nx = tf.add(sumX, x);
        const ny = tf.add(sumY, out.y);
        [sumX, sumY, x, out.y].forEach((u) => u.dispose());
        sumX = nx;
        sumY = ny;
        const ref = tf.maxPool(sumX as tf.Tensor4D, [k, k], [s, s], pad);
        expect(maxAbsDiff(sumY.dataSync(), ref.dataSync())).toBeLessThan(1e-4);
        ref.dispose();
      }
      [r, sumX, sumY].forEach((u) => u.dispose());
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('the gate variant passes the current input of the neuron with the largest accumulated input', () => {
    tf.tidy(() => {
      const g = poolGeometry([2, 2, 1], [2, 2], [2, 2], 'valid');
      let a = poolState(1, g, 'gate');
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
