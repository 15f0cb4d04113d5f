import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_CONVERSION_CONFIG, type ConversionConfig } from '../../../src/formats/conversion.js';
import { convertAndSimulate, planSweep, type ConversionData } from '../../../src/engine/conversion/index.js';
import { randomArray, rng, useWasm } from './helpers.js';

beforeAll(useWasm);

// dense 2→3 (relu) → dense 3→2 (relu) → dense 2→2; tfjs kernels are [in, out]: y = x·K + b.
const K1 = [[2, -1, 3], [1, 2, -1]];
const B1 = [0.5, 0, 0.2];
const K2 = [[0.3, -0.2], [0.1, 0.25], [0.2, 0.15]];
const B2 = [0.1, 0];
const K3 = [[1, -1], [0.5, 1]];
const B3 = [0, 0.1];

function net(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [2], units: 3, activation: 'relu' }),
      tfl.layers.dense({ units: 2, activation: 'relu' }),
      tfl.layers.dense({ units: 2 }),
    ],
  });
  m.setWeights([K1, B1, K2, B2, K3, B3].map((w) => tf.tensor(w)));
  return m;
}

/** Plain float64 forward pass to the two sites, each clipped at `clip` (Infinity: no clip). */
function sitesOf(x: number[], clip: number): [number[], number[]] {
  const layer = (v: number[], k: number[][], b: number[]): number[] => b.map((bj, j) => Math.min(clip, Math.max(0, v.reduce((a, vi, i) => a + vi * (k[i]![j] as number), bj))));
  const h1 = layer(x, K1, B1);
  return [h1, layer(h1, K2, B2)];
}

/** numpy's linear quantile, by sorting. */
function quantile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const r = p * (s.length - 1);
  const k = Math.floor(r);
  return k + 1 < s.length ? s[k]! + (r - k) * (s[k + 1]! - s[k]!) : s[k]!;
}

describe('calibrationClip', () => {
  const n = 16;
  const images = randomArray(2 * n, rng(3), -1.5, 1.5);
  const split = { images, labels: Float32Array.from({ length: n }, (_, i) => i % 2), count: n };
  const data: ConversionData = { calibration: split, test: split, task: 'classification', numClasses: 2 };
  const xs = Array.from({ length: n }, (_, i) => [images[2 * i]!, images[2 * i + 1]!]);
  const reference = (p: number, clip: number): number[] => {
    const acts = xs.map((x) => sitesOf(x, clip));
    return [quantile(acts.flatMap((a) => a[0]), p), quantile(acts.flatMap((a) => a[1]), p)];
  };

  it.each([0.9, 1])('gamma: λ of a hand-computed forward pass with activations clipped at Γ, feeding the next site (p = %s)', async (p) => {
    const m = net();
    const gamma = 2;
    const base = { timeSteps: 2, gamma, percentile: p, batchSize: n };
    const plain = await convertAndSimulate(m, data, base, { backend: 'cpu', threads: 1 });
    const clipped = await convertAndSimulate(m, data, { ...base, calibrationClip: 'gamma' }, { backend: 'cpu', threads: 1 });
    const lamPlain = Object.values(plain.lambdas!).map((v) => v[0]!);
    const lamClip = Object.values(clipped.lambdas!).map((v) => v[0]!);
    const refPlain = reference(p, Infinity);
    const refClip = reference(p, gamma);
    lamPlain.forEach((v, i) => expect(v).toBeCloseTo(refPlain[i]!, 5));
    lamClip.forEach((v, i) => expect(v).toBeCloseTo(refClip[i]!, 5));
    // the net is built so that site 1 exceeds Γ: its λ is capped, and the deeper site's λ shrinks
    // although its own activations stay below Γ
    expect(refPlain[0]!).toBeGreaterThan(gamma);
    expect(lamClip[0]!).toBeLessThanOrEqual(gamma + 1e-6);
    expect(refPlain[1]!).toBeLessThan(gamma);
    expect(lamClip[1]!).toBeLessThan(lamPlain[1]! - 0.05);
    expect(clipped.config.calibrationClip).toBe('gamma');
    m.dispose();
  });

  it('a sweep calibrates once per Γ with the gamma clip, once for all Γ without', () => {
    const c = (o: Partial<ConversionConfig>): ConversionConfig => ({ ...DEFAULT_CONVERSION_CONFIG, ...o });
    const plan = planSweep([c({ calibrationClip: 'gamma', gamma: 3 }), c({ calibrationClip: 'gamma', gamma: 5 }), c({ gamma: 3 }), c({ gamma: 5 })]);
    expect(plan.calibrations.map((k) => k.simulations)).toEqual([[[0]], [[1]], [[2], [3]]]);
  });
});
