import * as tfl from '@tensorflow/tfjs-layers';
import { convertAndSimulate, convertSweep, EarlyExitTracker, type ConversionData } from '../../../src/engine/conversion/index.js';
import { DEFAULT_CONVERSION_CONFIG, ENERGY_PJ, type ConversionResult } from '../../../src/formats/conversion.js';
import { randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

// Three samples, three classes, five steps: accumulated logits A_t (rows: t = 1..5) and the SOPs of each step.
const A = [
  [[1, 0, 0], [1, 2, 0], [3, 2, 0], [5, 2, 1], [7, 3, 1]],
  [[0, 0, 1], [0, 0, 2], [0, 0, 3], [0, 0, 4], [0, 0, 5]],
  [[0.5, 0.4, 0], [1, 1.2, 0], [1.3, 1.9, 0], [1.5, 2.1, 0], [1.6, 2.2, 0.5]],
];
const SOPS = [[10, 20, 30, 40, 50], [5, 5, 5, 5, 5], [1, 2, 3, 4, 5]];
const LABELS = [1, 2, 1];

/** Feeds samples [from, to) as one batch through steps 1..5. */
function feed(tr: EarlyExitTracker, from: number, to: number): void {
  tr.beginBatch(Float32Array.from(LABELS.slice(from, to)), to - from);
  for (let t = 1; t <= 5; t++) {
    tr.addStep(A.slice(from, to).flatMap((s) => s[t - 1]!), t, SOPS.slice(from, to).map((s) => s[t - 1]!));
  }
  tr.endBatch();
}

describe('EarlyExitTracker on hand-built logit sequences', () => {
  // predictions (first index on ties): A 0,1,0,0,0  B 2,2,2,2,2  C 0,1,1,1,1
  // mean-logit margins: A 1, .5, .333, .75, .8   B 1, 1, 1, 1, 1   C .1, .1, .2, .15, .12
  it('patience 2: exits at 4, 2, 3', () => {
    const tr = new EarlyExitTracker({ patience: 2, margin: null }, 3, [5]);
    feed(tr, 0, 2);
    feed(tr, 2, 3);
    const r = tr.record(5, 99, 1000);
    expect(r.stepsHistogram).toEqual([0, 1, 1, 1, 0]);
    expect(r.meanSteps).toBeCloseTo(3, 12);
    expect(r.exited).toBe(3);
    expect(r.accuracy).toBeCloseTo(2 / 3, 12); // A predicts 0 at step 4, its label is 1
    expect(r.sops).toBeCloseTo((100 + 10 + 6) / 3, 10);
    expect(r.fixedSops).toBe(99);
    expect(r.energyRatio).toBeCloseTo((((100 + 10 + 6) / 3) * ENERGY_PJ.ac) / (1000 * ENERGY_PJ.mac), 12);
    expect([r.patience, r.margin]).toEqual([2, null]);
  });

  it('patience 3 for T = 3 and T = 5 from one pass: a sample that has not exited by T is charged T', () => {
    const tr = new EarlyExitTracker({ patience: 3, margin: null }, 3, [3, 5]);
    feed(tr, 0, 3);
    // first rule steps: A 5, B 3, C 4
    const r3 = tr.record(3, 0, 1);
    expect(r3.stepsHistogram).toEqual([0, 0, 3]);
    expect(r3.exited).toBe(1);
    expect(r3.accuracy).toBeCloseTo(2 / 3, 12); // A: 0 at step 3 (wrong), B right, C: 1 at step 3 (right)
    expect(r3.sops).toBeCloseTo((60 + 15 + 6) / 3, 10);
    const r5 = tr.record(5, 0, 1);
    expect(r5.stepsHistogram).toEqual([0, 0, 1, 1, 1]);
    expect(r5.meanSteps).toBeCloseTo(4, 12);
    expect(r5.exited).toBe(3);
    expect(r5.sops).toBeCloseTo((150 + 15 + 10) / 3, 10);
    expect(() => tr.record(4, 0, 1)).toThrow(RangeError);
  });

  it('margin 0.5 (strictly greater), and margin 0.9 or patience 3 together', () => {
    const m = new EarlyExitTracker({ patience: null, margin: 0.5 }, 3, [5]);
    feed(m, 0, 3);
    const r = m.record(5, 0, 1);
    expect(r.stepsHistogram).toEqual([2, 0, 0, 0, 1]); // A, B at 1; C never (margins ≤ 0.2)
    expect(r.meanSteps).toBeCloseTo(7 / 3, 12);
    expect(r.exited).toBe(2);
    expect(r.accuracy).toBeCloseTo(2 / 3, 12);
    expect(r.sops).toBeCloseTo((10 + 5 + 15) / 3, 10);
    const both = new EarlyExitTracker({ patience: 3, margin: 0.9 }, 3, [5]);
    feed(both, 0, 3);
    expect(both.record(5, 0, 1).stepsHistogram).toEqual([2, 0, 0, 1, 0]); // A, B by margin at 1; C by patience at 4
    expect(() => new EarlyExitTracker({ patience: null, margin: null }, 3, [5])).toThrow(/patience or a margin/);
  });
});

describe('early exit in a conversion run', () => {
  const cpu = { backend: 'cpu', threads: 1 } as const;
  function net(): tfl.LayersModel {
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 6, activation: 'relu' }),
        tfl.layers.dense({ units: 3 }),
      ],
    });
    seedWeights(m, 12);
    return m;
  }
  const n = 7;
  const rand = rng(77);
  const split = { images: randomArray(n * 36, rand), labels: Float32Array.from({ length: n }, () => Math.floor(rand() * 3)), count: n };
  const data: ConversionData = { calibration: split, test: split, task: 'classification', numClasses: 3 };
  const base = { ...DEFAULT_CONVERSION_CONFIG, timeSteps: 9, batchSize: 3, calibrationBatches: 3 };

  it('keeps the fixed-T curve; patience 1 costs what a 1-step run costs, an unreachable margin what the T-step run costs', async () => {
    const m = net();
    const fixed = await convertAndSimulate(m, data, base, cpu);
    const oneStep = await convertAndSimulate(m, data, { ...base, timeSteps: 1 }, cpu);
    const got = new Map<number, ConversionResult>();
    await convertSweep(m, data, [{ ...base, earlyExitPatience: 1 }, { ...base, earlyExitMargin: 1e6 }, { ...base, timeSteps: 4, earlyExitMargin: 1e6 }], {
      ...cpu,
      onResult: (i, r) => void got.set(i, r),
    });
    const [p1, never, never4] = [got.get(0)!, got.get(1)!, got.get(2)!];
    expect(fixed.earlyExit).toBeUndefined();
    expect(p1.stepMetrics).toEqual(fixed.stepMetrics);
    expect(p1.summary.sops).toBeCloseTo(fixed.summary.sops, 8);
    // patience 1: everyone stops after step 1; SOPs as counted by the 1-step run's spike totals
    expect(p1.earlyExit!.stepsHistogram).toEqual([n, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(p1.earlyExit!.meanSteps).toBe(1);
    expect(p1.earlyExit!.accuracy).toBeCloseTo(fixed.stepMetrics['accuracy']![0]!, 12);
    expect(p1.earlyExit!.sops).toBeCloseTo(oneStep.summary.sops, 6);
    expect(p1.earlyExit!.fixedSops).toBeCloseTo(fixed.summary.sops, 8);
    // a margin no sample reaches: every sample runs to T
    for (const [r, T] of [[never, 9], [never4, 4]] as const) {
      expect(r.earlyExit!.exited).toBe(0);
      expect(r.earlyExit!.meanSteps).toBe(T);
      expect(r.earlyExit!.stepsHistogram[T - 1]).toBe(n);
      expect(r.earlyExit!.accuracy).toBeCloseTo(fixed.stepMetrics['accuracy']![T - 1]!, 12);
      expect(r.earlyExit!.sops).toBeCloseTo(r.summary.sops, 6);
    }
    expect(never4.earlyExit!.sops).toBeLessThan(never.earlyExit!.sops);
    m.dispose();
  });

  it('refuses early exit for segmentation and bad rules', async () => {
    const m = net();
    await expect(convertAndSimulate(m, data, { earlyExitPatience: 0 }, cpu)).rejects.toThrow(/earlyExitPatience must be an integer ≥ 1/);
    await expect(convertAndSimulate(m, data, { earlyExitMargin: -1 }, cpu)).rejects.toThrow(/earlyExitMargin/);
    const seg = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 1, activation: 'relu' }), tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' })] });
    const s = { images: new Float32Array(32), labels: new Float32Array(32), count: 2 };
    await expect(convertAndSimulate(seg, { calibration: s, test: s, task: 'segmentation', numClasses: 1 }, { earlyExitPatience: 3 }, cpu)).rejects.toThrow(/classification only/);
    m.dispose();
    seg.dispose();
  });
});
