import * as tf from '@tensorflow/tfjs-core';
import { ifBurstStep, type IfBurstParams } from '../../../src/engine/conversion/index.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

/** Runs T steps of a constant input; returns the mean emitted value s·θ per neuron. */
function meanOutput(x: number[], theta: number, gamma: number, steps: number, reset: IfBurstParams['reset'] = 'subtract'): Float32Array {
  return tf.tidy(() => {
    const p: IfBurstParams = { theta: tf.scalar(theta), invTheta: tf.scalar(1 / theta), gamma, reset };
    const z = tf.tensor1d(x);
    let v: tf.Tensor = tf.zerosLike(z);
    let sum: tf.Tensor = tf.zerosLike(z);
    for (let t = 0; t < steps; t++) {
      const r = ifBurstStep(v, z, p);
      v = r.v;
      sum = tf.add(sum, tf.mul(r.s, theta));
    }
    return tf.div(sum, steps).dataSync() as Float32Array;
  });
}

describe('ifBurstStep', () => {
  const xs = [-1, -0.1, 0, 0.013, 0.1, 0.37, 0.5, 0.99, 1, 1.7, 2.49, 2.5, 3, 10];
  for (const [theta, gamma] of [[0.5, 5], [1, 1], [0.25, 3]] as const) {
    for (const steps of [7, 32, 64]) {
      it(`mean output → clip(x, 0, Γθ) within θ/T (θ=${theta}, Γ=${gamma}, T=${steps})`, () => {
        const before = tf.memory().numTensors;
        const mean = meanOutput(xs, theta, gamma, steps);
        xs.forEach((x, i) => {
          const target = Math.min(Math.max(x, 0), gamma * theta);
          expect(Math.abs((mean[i] as number) - target)).toBeLessThanOrEqual(theta / steps + 1e-5);
        });
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('emits at most Γ spikes per step, and θ = null means θ = 1', () => {
    tf.tidy(() => {
      const p: IfBurstParams = { theta: null, invTheta: null, gamma: 5, reset: 'subtract' };
      const { v, s } = ifBurstStep(tf.zeros([4]), tf.tensor1d([0.5, 1.5, 4.2, 9]), p);
      expect(Array.from(s.dataSync())).toEqual([0, 1, 4, 5]);
      const vv = v.dataSync();
      [0.5, 0.5, 0.2, 4].forEach((e, i) => expect(vv[i]).toBeCloseTo(e, 5));
    });
  });

  it('hard reset sets the membrane to 0 after any spike (and keeps it otherwise)', () => {
    tf.tidy(() => {
      const p: IfBurstParams = { theta: tf.scalar(1), invTheta: tf.scalar(1), gamma: 5, reset: 'zero' };
      const { v, s } = ifBurstStep(tf.tensor1d([0.3, 0.3, -1]), tf.tensor1d([0.2, 2.9, 0.5]), p);
      expect(Array.from(s.dataSync())).toEqual([0, 3, 0]);
      const vv = v.dataSync();
      [0.5, 0, -0.5].forEach((e, i) => expect(vv[i]).toBeCloseTo(e, 5));
      // Hard reset loses the residue: a constant 1.5 input fires 1 spike per step, not 1.5.
      const mean = meanOutput([1.5], 1, 5, 64, 'zero');
      expect(mean[0]).toBeCloseTo(1, 5);
    });
  });

  it('per-channel θ broadcasts over the last axis', () => {
    tf.tidy(() => {
      const theta = tf.tensor1d([1, 2]);
      const p: IfBurstParams = { theta, invTheta: tf.div(1, theta), gamma: 5, reset: 'subtract' };
      const { s } = ifBurstStep(tf.zeros([2, 2]), tf.tensor2d([[3, 3], [1, 1]]), p);
      expect(Array.from(s.dataSync())).toEqual([3, 1, 1, 0]);
    });
  });
});
