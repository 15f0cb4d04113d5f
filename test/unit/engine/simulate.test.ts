import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Progress } from '../../../src/formats/conversion.js';
import { convertAndSimulate, type BatchReport, type ConversionData } from '../../../src/engine/conversion/index.js';
import { CancelledError, InvalidConversionInputError } from '../../../src/engine/errors.js';
import { randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

function smallNet(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3 }),
    ],
  });
  seedWeights(m, 21);
  return m;
}

function data(n: number): ConversionData {
  const rand = rng(n);
  const labels = Float32Array.from({ length: n }, () => Math.floor(rand() * 3));
  const split = { images: randomArray(n * 36, rand), labels, count: n };
  return { calibration: split, test: split, task: 'classification', numClasses: 3 };
}

describe('convertAndSimulate', () => {
  it('per-step metrics do not depend on how samples are batched (equal weight per sample)', async () => {
    const m = smallNet();
    const d = data(7);
    // p = 1: the running max of per-batch maxima is the max over all, so λ is the same both ways.
    const a = await convertAndSimulate(m, d, { timeSteps: 12, batchSize: 7, calibrationBatches: 1, percentile: 1 });
    // Calibrate on the same 7 samples (3 batches of 3 → 9 ≥ 7), simulate in batches of 3, 3, 1.
    const reports: BatchReport[] = [];
    const b = await convertAndSimulate(m, d, { timeSteps: 12, batchSize: 3, calibrationBatches: 3, percentile: 1 }, { onBatch: (r) => reports.push(r) });
    expect(b.stepMetrics['accuracy']).toEqual(a.stepMetrics['accuracy']);
    expect(reports.map((r) => r.samples)).toEqual([3, 6, 7]);
    expect(reports[2]!.stepMetrics).toEqual(b.stepMetrics);
    expect(b.layerStats.map((s) => s.kind)).toEqual(['if', 'lipool']);
    expect(b.layerStats[0]!.site).toMatch(/\/relu$/);
    b.layerStats.forEach((s, i) => {
      expect(s.firingRate).toBeCloseTo(a.layerStats[i]!.firingRate, 10);
      expect(s.sops).toBeCloseTo(a.layerStats[i]!.sops, 6);
    });
    expect(b.summary.energyRatio).toBeCloseTo((b.summary.sops * 0.9) / (b.summary.annMacs * 4.6), 10);
    m.dispose();
  });

  it('reports progress per step and batch, the final series via onStep, and the backend', async () => {
    const m = smallNet();
    const progress: Progress[] = [];
    const steps: [number, Record<string, number>][] = [];
    const before = tf.memory().numTensors;
    const r = await convertAndSimulate(m, data(5), { timeSteps: 4, batchSize: 2 }, { onProgress: (p) => progress.push(p), onStep: (t, v) => steps.push([t, v]) });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.backend).toBe('wasm');
    expect(progress.filter((p) => p.phase === 'simulate' && p.step !== undefined)).toHaveLength(3 * 4);
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((x, y) => x - y));
    expect(progress[progress.length - 1]).toEqual({ fraction: 1, phase: 'done' });
    expect(steps.map(([t]) => t)).toEqual([1, 2, 3, 4]);
    expect(steps.map(([, v]) => v['accuracy'])).toEqual(r.stepMetrics['accuracy']);
    m.dispose();
  });

  it('stops with CancelledError between steps and leaks nothing', async () => {
    const m = smallNet();
    const ctl = new AbortController();
    const before = tf.memory().numTensors;
    const run = convertAndSimulate(m, data(6), { timeSteps: 50, batchSize: 2 }, {
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.batch === 2 && p.step === 7) ctl.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await expect(run).rejects.toThrow(/batch 2, step 8/);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('runs the gate, hard-reset and vInit options; rejects invalid configs', async () => {
    const m = smallNet();
    const r = await convertAndSimulate(m, data(4), { timeSteps: 8, batchSize: 4, maxPool: 'gate', reset: 'zero', vInit: 0.5, channelWise: true });
    expect(r.layerStats.map((s) => s.kind)).toEqual(['if', 'gate']);
    expect(r.stepMetrics['accuracy']!.every((v) => v >= 0 && v <= 1)).toBe(true);
    await expect(convertAndSimulate(m, data(4), { timeSteps: 0 })).rejects.toBeInstanceOf(InvalidConversionInputError);
    await expect(convertAndSimulate(m, data(4), { gamma: 1.5 })).rejects.toThrow(/gamma/);
    await expect(convertAndSimulate(m, { ...data(4), numClasses: 4 })).rejects.toThrow(/expected numClasses = 4/);
    m.dispose();
  });
});
