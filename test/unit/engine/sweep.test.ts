import * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_CONVERSION_CONFIG, type ConversionConfig, type ConversionResult, type Progress } from '../../../src/formats/conversion.js';
import { convertAndSimulate, convertSweep, planSweep, type ConversionData } from '../../../src/engine/conversion/index.js';
import { InvalidConversionInputError } from '../../../src/engine/errors.js';
import { randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

function net(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 5, activation: 'relu' }),
      tfl.layers.dense({ units: 3 }),
    ],
  });
  seedWeights(m, 5);
  return m;
}

function data(n: number): ConversionData {
  const rand = rng(40 + n);
  const split = { images: randomArray(n * 36, rand), labels: Float32Array.from({ length: n }, () => Math.floor(rand() * 3)), count: n };
  const cal = { images: randomArray(n * 36, rand), labels: split.labels, count: n };
  return { calibration: cal, test: split, task: 'classification', numClasses: 3 };
}

const cpu = { backend: 'cpu', threads: 1 } as const;
const cfg = (c: Partial<ConversionConfig>): ConversionConfig => ({ ...DEFAULT_CONVERSION_CONFIG, batchSize: 4, ...c });

function expectSameResult(a: ConversionResult, b: ConversionResult): void {
  expect(a.config).toEqual(b.config);
  expect(a.stepMetrics).toEqual(b.stepMetrics);
  expect(a.annMetrics).toEqual(b.annMetrics);
  expect(a.lambdas).toEqual(b.lambdas);
  expect(a.warnings).toEqual(b.warnings);
  expect(a.layerStats.map((s) => [s.site, s.kind, s.neurons, s.lambda])).toEqual(b.layerStats.map((s) => [s.site, s.kind, s.neurons, s.lambda]));
  a.layerStats.forEach((s, i) => {
    expect(s.firingRate).toBeCloseTo(b.layerStats[i]!.firingRate, 12);
    expect(s.sops).toBeCloseTo(b.layerStats[i]!.sops, 8);
  });
  expect(a.summary.sops).toBeCloseTo(b.summary.sops, 8);
  expect({ ...a.summary, sops: 0, energyRatio: 0 }).toEqual({ ...b.summary, sops: 0, energyRatio: 0 });
}

describe('convertSweep', () => {
  it('groups configs: one calibration per calibration key, one simulation per SNN (config minus T)', () => {
    const plan = planSweep([
      cfg({ timeSteps: 4 }),
      cfg({ timeSteps: 8 }),
      cfg({ timeSteps: 8, gamma: 3 }),
      cfg({ timeSteps: 4, percentile: 1 }),
      cfg({ timeSteps: 2, gamma: 3 }),
    ]);
    expect(plan.calibrations.map((c) => c.simulations)).toEqual([[[0, 1], [2, 4]], [[3]]]);
  });

  it('gives each config the result convertAndSimulate gives it alone, sharing calibrations and simulations', async () => {
    const m = net();
    const d = data(10);
    const configs = [
      cfg({ timeSteps: 3 }),
      cfg({ timeSteps: 11, gamma: 2 }),
      cfg({ timeSteps: 11 }),
      cfg({ timeSteps: 7, percentile: 1 }),
      cfg({ timeSteps: 5, gamma: 2 }),
      cfg({ timeSteps: 7 }),
      cfg({ timeSteps: 2, percentile: 1, batchSize: 3, maxPool: 'gate' }),
    ];
    const got = new Map<number, ConversionResult>();
    const progress: Progress[] = [];
    await convertSweep(m, d, configs, { ...cpu, onProgress: (p) => progress.push(p), onResult: (i, r) => void got.set(i, r) });
    expect([...got.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // calibration keys: (0.99, bs 4), (1, bs 4), (1, bs 3); SNNs: Γ 5, Γ 2, p 1, p 1 gate bs 3
    expect(progress.filter((p) => p.phase === 'calibrate')).toHaveLength(3);
    expect(progress.filter((p) => p.phase === 'build')).toHaveLength(4);
    // simulated steps: 3 batches × (11 + 11 + 7) + 4 batches × 2, not Σ T × batches
    expect(progress.filter((p) => p.phase === 'simulate' && p.step !== undefined)).toHaveLength(3 * (11 + 11 + 7) + 4 * 2);
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((x, y) => x - y));
    // every step's progress names its simulation (the job's progress writes are throttled: a build message alone was often never stored); a finished batch says so
    let sim = 0;
    for (const p of progress) {
      if (p.phase === 'build') sim++;
      if (p.phase === 'build' || (p.phase === 'simulate' && p.step !== undefined)) expect(p.message).toBe(`simulation ${sim}/4`);
      if (p.phase === 'simulate' && p.step === undefined) expect(p.message).toMatch(/^batch \d\/\d done$/);
    }
    expect(progress[progress.length - 1]).toEqual({ fraction: 1, phase: 'done' });
    for (const [i, c] of configs.entries()) {
      const alone = await convertAndSimulate(m, d, c, cpu);
      expectSameResult(got.get(i)!, alone);
    }
    // the totals are those of step T, not of the group's longest simulation
    expect(got.get(0)!.summary.sops).toBeLessThan(got.get(2)!.summary.sops);
    m.dispose();
  });

  it('refuses an empty sweep and names the bad config before any work', async () => {
    const m = net();
    const calls: number[] = [];
    const onResult = (i: number): void => void calls.push(i);
    await expect(convertSweep(m, data(4), [], { ...cpu, onResult })).rejects.toBeInstanceOf(InvalidConversionInputError);
    await expect(convertSweep(m, data(4), [cfg({}), cfg({ timeSteps: 0 })], { ...cpu, onResult })).rejects.toThrow(/config 1: .*timeSteps/);
    expect(calls).toEqual([]);
    m.dispose();
  });
});
