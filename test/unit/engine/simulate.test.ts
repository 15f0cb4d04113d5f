import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Progress } from '../../../src/formats/conversion.js';
import { convertAndSimulate, type BatchReport, type ConversionData } from '../../../src/engine/conversion/index.js';
import { CancelledError, InvalidConversionInputError, UnsupportedLayerError } from '../../../src/engine/errors.js';
import { randomArray, rng, seedWeights, smallClassifier, useWasm } from './helpers.js';
import { referenceLayers, referenceSimulate } from './reference.js';

beforeAll(useWasm);

function data(n: number, per = 36): ConversionData {
  const rand = rng(n);
  const labels = Float32Array.from({ length: n }, () => Math.floor(rand() * 3));
  const split = { images: randomArray(n * per, rand), labels, count: n };
  return { calibration: split, test: split, task: 'classification', numClasses: 3 };
}

const cpu = { backend: 'cpu', threads: 1 } as const;

describe('convertAndSimulate', () => {
  it('per-step metrics do not depend on how samples are batched (equal weight per sample)', async () => {
    const m = smallClassifier();
    const d = data(7);
    // p = 1: the running max of per-batch maxima is the max over all, so λ is the same both ways.
    const a = await convertAndSimulate(m, d, { timeSteps: 12, batchSize: 7, calibrationBatches: 1, percentile: 1 }, cpu);
    // Calibrate on the same 7 samples (3 batches of 3 → 9 ≥ 7), simulate in batches of 3, 3, 1.
    const reports: BatchReport[] = [];
    const b = await convertAndSimulate(m, d, { timeSteps: 12, batchSize: 3, calibrationBatches: 3, percentile: 1 }, { ...cpu, stepsPerCall: 5, onBatch: (r) => reports.push(r) });
    expect(b.stepMetrics['accuracy']).toEqual(a.stepMetrics['accuracy']);
    expect(reports.map((r) => r.samples)).toEqual([3, 6, 7]);
    expect(reports[2]!.stepMetrics).toEqual(b.stepMetrics);
    expect(b.layerStats.map((s) => s.kind)).toEqual(['if', 'lipool']);
    expect(b.layerStats[0]!.site).toMatch(/\/relu$/);
    b.layerStats.forEach((s, i) => {
      expect(s.firingRate).toBeCloseTo(a.layerStats[i]!.firingRate, 10);
      expect(s.sops).toBeCloseTo(a.layerStats[i]!.sops, 6);
    });
    m.dispose();
  });

  it('reports progress per step and batch, the final series via onStep, and the backend', async () => {
    const m = smallClassifier();
    const progress: Progress[] = [];
    const steps: [number, Record<string, number>][] = [];
    const before = tf.memory().numTensors;
    const r = await convertAndSimulate(m, data(5), { timeSteps: 4, batchSize: 2 }, { ...cpu, onProgress: (p) => progress.push(p), onStep: (t, v) => steps.push([t, v]) });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.backend).toBe('cpu');
    expect(progress.filter((p) => p.phase === 'simulate' && p.step !== undefined)).toHaveLength(3 * 4);
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((x, y) => x - y));
    expect(progress[progress.length - 1]).toEqual({ fraction: 1, phase: 'done' });
    expect(steps.map(([t]) => t)).toEqual([1, 2, 3, 4]);
    expect(steps.map(([, v]) => v['accuracy'])).toEqual(r.stepMetrics['accuracy']);
    expect(Object.keys(r.lambdas!)).toEqual([r.layerStats[0]!.site]);
    m.dispose();
  });

  it('stops with CancelledError between ONNX Runtime calls', async () => {
    const m = smallClassifier();
    const ctl = new AbortController();
    const run = convertAndSimulate(m, data(6), { timeSteps: 50, batchSize: 2 }, {
      ...cpu,
      stepsPerCall: 4,
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.batch === 2 && p.step === 7) ctl.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    // Steps 5..8 of batch 2 ran in one call; the check before the next call stops it.
    await expect(run).rejects.toThrow(/batch 2, step 9/);
    m.dispose();
  });

  it('runs the gate, hard-reset and vInit options; rejects invalid configs and clipped ReLUs', async () => {
    const m = smallClassifier();
    const r = await convertAndSimulate(m, data(4), { timeSteps: 8, batchSize: 4, maxPool: 'gate', reset: 'zero', vInit: 0.5, channelWise: true }, cpu);
    expect(r.layerStats.map((s) => s.kind)).toEqual(['if', 'gate']);
    expect(r.stepMetrics['accuracy']!.every((v) => v >= 0 && v <= 1)).toBe(true);
    await expect(convertAndSimulate(m, data(4), { timeSteps: 0 }, cpu)).rejects.toBeInstanceOf(InvalidConversionInputError);
    await expect(convertAndSimulate(m, data(4), { gamma: 1.5 }, cpu)).rejects.toThrow(/gamma/);
    await expect(convertAndSimulate(m, { ...data(4), numClasses: 4 }, {}, cpu)).rejects.toThrow(/expected numClasses = 4/);
    const r6 = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 3 }), tfl.layers.reLU({ maxValue: 6, name: 'r6' }), tfl.layers.dense({ units: 2 })] });
    const vec = { images: randomArray(12, rng(1)), labels: Float32Array.of(0, 1, 0, 1), count: 4 };
    await expect(convertAndSimulate(r6, { calibration: vec, test: vec, task: 'classification', numClasses: 2 }, {}, cpu)).rejects.toThrow(UnsupportedLayerError);
    await expect(convertAndSimulate(r6, { calibration: vec, test: vec, task: 'classification', numClasses: 2 }, {}, cpu)).rejects.toThrow(/'r6' \(ReLU\).*clipped ReLU/);
    m.dispose();
    r6.dispose();
  });
});

describe('firing rates, SOPs and energy, against an independent count', () => {
  it.each(['subtract', 'zero'] as const)('match a plain float64 simulation that counts spikes and enumerates synapses (reset %s)', async (reset) => {
    // conv(relu) → conv 'same'/2 on 5×5 (pads 1 on every side; relu) → conv 2×2 (relu) → max-pool →
    // flatten → dense: border and stride fan-outs; spike totals of sites with and without a counter.
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [7, 7, 1], filters: 3, kernelSize: 3, activation: 'relu', name: 'a' }),
        tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'b' }),
        tfl.layers.conv2d({ filters: 4, kernelSize: 2, activation: 'relu', name: 'c' }),
        tfl.layers.maxPooling2d({ poolSize: 2, name: 'p' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, name: 'o' }),
      ],
    });
    seedWeights(m, 33);
    const d = data(6, 49);
    const T = 20;
    const r = await convertAndSimulate(m, d, { timeSteps: T, batchSize: 6, percentile: 0.95, gamma: 2, reset }, cpu);
    const lambdas = Object.values(r.lambdas!).map((v) => Float32Array.from(v));
    const ref = referenceSimulate(referenceLayers(m, lambdas), d.test.images, 6, T, 2, 0, reset);
    // Per-step accuracy from the reference's accumulated logits.
    const refAcc = ref.acc.map((a) => {
      let ok = 0;
      for (let n = 0; n < 6; n++) {
        const row = Array.from(a.subarray(n * 3, n * 3 + 3));
        if (row.indexOf(Math.max(...row)) === d.test.labels[n]) ok++;
      }
      return ok / 6;
    });
    expect(r.stepMetrics['accuracy']).toEqual(refAcc);
    const neurons = [5 * 5 * 3, 3 * 3 * 4, 2 * 2 * 4, 1 * 1 * 4];
    r.layerStats.forEach((s, i) => {
      expect(s.neurons).toBe(neurons[i]);
      expect(s.firingRate).toBeCloseTo(ref.spikes[i]! / (neurons[i]! * T * 6), 6);
      expect(s.sops).toBeCloseTo(ref.sops[i]! / 6, 3);
    });
    // MACs by hand: 5·5·3·9·1 + 3·3·4·9·3 + 2·2·4·4·4 + 4·3.
    const macs = 675 + 972 + 256 + 12;
    expect(r.summary.annMacs).toBe(macs);
    const sops = ref.sops.reduce((a, b) => a + b, 0) / 6;
    expect(r.summary.energyRatio).toBeCloseTo((sops * 0.9) / (macs * 4.6), 6);
    expect(r.summary.sops).toBeGreaterThan(0);
    m.dispose();
  });

  it.each([
    ['subtract', false],
    ['subtract', true],
    ['zero', false],
  ] as const)('16-channel maps (blocked-layout kernels, depthwise updates), a ReLU after a max-pool (θ ≠ 1): reset %s, channel-wise %s', async (reset, channelWise) => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'a' }),
        tfl.layers.maxPooling2d({ poolSize: 2, name: 'p' }),
        tfl.layers.reLU({ name: 'b' }),
        tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, name: 'o' }),
      ],
    });
    seedWeights(m, 44);
    const d = data(8, 72);
    const T = 24;
    const r = await convertAndSimulate(m, d, { timeSteps: T, batchSize: 8, percentile: 0.97, gamma: 3, reset, channelWise, vInit: 0.25 }, { ...cpu, stepsPerCall: 5 });
    const lambdas = Object.values(r.lambdas!).map((v) => Float32Array.from(v));
    const ref = referenceSimulate(referenceLayers(m, lambdas), d.test.images, 8, T, 3, 0.25, reset);
    const refAcc = ref.acc.map((a) => {
      let ok = 0;
      for (let n = 0; n < 8; n++) {
        const row = Array.from(a.subarray(n * 3, n * 3 + 3));
        if (row.indexOf(Math.max(...row)) === d.test.labels[n]) ok++;
      }
      return ok / 8;
    });
    expect(r.stepMetrics['accuracy']).toEqual(refAcc);
    const neurons = [6 * 6 * 16, 3 * 3 * 16, 3 * 3 * 16, 3 * 3 * 16];
    r.layerStats.forEach((st, i) => {
      expect(st.firingRate).toBeCloseTo(ref.spikes[i]! / (neurons[i]! * T * 8), 6);
      expect(st.sops).toBeCloseTo(ref.sops[i]! / 8, 2);
    });
    expect(r.layerStats.map((st) => st.kind)).toEqual(['if', 'lipool', 'if', 'if']);
    m.dispose();
  });
});
