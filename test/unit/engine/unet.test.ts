import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { convertAndSimulate, convertSweep } from '../../../src/engine/conversion/index.js';
import { DEFAULT_CONVERSION_CONFIG, type ConversionResult } from '../../../src/formats/conversion.js';
import { buildModel } from '../../../src/engine/zoo/index.js';
import { discs, useWasm } from './helpers.js';

beforeAll(useWasm);

describe('a tiny UNet (max-pool, conv2d-transpose, concatenate, sigmoid head), trained briefly', () => {
  const H = 16;
  const data = { train: discs(128, H, 1), test: discs(64, H, 2) };
  let model: tfl.LayersModel;
  beforeAll(async () => {
    model = buildModel({ architecture: 'unet', inputShape: [H, H, 1], numClasses: 1, widthMultiplier: 1, depth: 1, baseWidth: 8 }, { seed: 2 });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
    const xs = tf.tensor(data.train.images, [data.train.count, H, H, 1]);
    const ys = tf.tensor(data.train.labels, [data.train.count, H, H, 1]);
    await model.fit(xs, ys, { epochs: 6, batchSize: 16, shuffle: false, verbose: 0 });
    xs.dispose();
    ys.dispose();
  });
  afterAll(() => model.dispose());

  it('SNN soft Dice at T = 128 within 0.02 of the ANN, hard F1 within 0.01', async () => {
    const kinds = model.layers.map((l) => l.getClassName());
    for (const k of ['MaxPooling2D', 'Conv2DTranspose', 'Concatenate', 'BatchNormalization']) expect(kinds).toContain(k);
    const before = tf.memory().numTensors;
    // Soft Dice averages the per-step sigmoid outputs (design §5), so it feels the per-step noise
    // of the head's input, not only its mean: a lower λ (p = 0.8) with longer bursts (Γ = 8, values
    // up to 8λ) makes that noise finer. With p = 0.99, Γ = 5 this net loses ~0.06 soft Dice at T = 128
    // while hard F1 stays within 0.001. vInit = 0.5 removes the start-up latency.
    const res = await convertAndSimulate(
      model,
      { calibration: data.train, test: data.test, task: 'segmentation', numClasses: 1 },
      { timeSteps: 128, percentile: 0.8, gamma: 8, vInit: 0.5, batchSize: 32, calibrationBatches: 2 },
    );
    expect(tf.memory().numTensors).toBe(before);
    const ann = res.annMetrics;
    const at = (k: string): number => (res.stepMetrics[k] as number[])[127] as number;
    const line = ['softDice', 'f1', 'iou', 'pixelAccuracy'].map((k) => `${k} ${ann[k]?.toFixed(4)}→${at(k).toFixed(4)}`).join(', ');
    console.log(`unet ANN→SNN@128: ${line}; softDice@16 ${(res.stepMetrics['softDice'] as number[])[15]?.toFixed(4)}`);
    expect(ann['softDice']).toBeGreaterThan(0.6);
    expect(Math.abs((ann['softDice'] as number) - at('softDice'))).toBeLessThanOrEqual(0.02);
    expect(Math.abs((ann['f1'] as number) - at('f1'))).toBeLessThanOrEqual(0.01);
    for (const k of ['softDice', 'pixelAccuracy', 'iou', 'f1', 'pixelAccuracyPerImage', 'iouPerImage', 'f1PerImage']) {
      expect(res.stepMetrics[k]).toHaveLength(128);
    }
    expect(res.summary.primaryMetric).toBe('softDice');
    expect(res.layerStats.map((s) => s.kind)).toContain('lipool');
    // figure panels: first test images with label, ANN and SNN maps at the data's resolution
    expect(res.panels).toHaveLength(4);
    const p0 = res.panels![0]!;
    expect([p0.width, p0.height]).toEqual([H, H]);
    for (const k of ['image', 'label', 'ann', 'snn'] as const) expect(p0[k]).toHaveLength(H * H);
    expect(p0.label).toEqual(Array.from(data.test.labels.subarray(0, H * H)));
    const agree = p0.ann.filter((v, i) => (v >= 0.5) === ((p0.snn[i] as number) >= 0.5)).length / (H * H);
    expect(agree).toBeGreaterThan(0.95);
  });

  it('readout mean-logit closes most of the soft-Dice gap of mean-probability at the default p = 0.99, Γ = 5 (README figures)', async () => {
    const results = new Map<number, ConversionResult>();
    const base = { ...DEFAULT_CONVERSION_CONFIG, timeSteps: 128, batchSize: 32, calibrationBatches: 2 };
    await convertSweep(model, { calibration: data.train, test: data.test, task: 'segmentation', numClasses: 1 }, [base, { ...base, readout: 'mean-logit' }], {
      onResult: (i, r) => void results.set(i, r),
    });
    const [prob, logit] = [results.get(0)!, results.get(1)!];
    const ann = prob.annMetrics;
    const at = (r: ConversionResult, k: string, t: number): number => (r.stepMetrics[k] as number[])[t - 1] as number;
    for (const [name, r] of [['mean-probability', prob], ['mean-logit', logit]] as const) {
      const steps = [16, 64, 128].map((t) => `softDice@${t} ${at(r, 'softDice', t).toFixed(4)}`).join(', ');
      console.log(`unet readout ${name}: ANN softDice ${ann['softDice']?.toFixed(4)} f1 ${ann['f1']?.toFixed(4)}; SNN ${steps}; f1@128 ${at(r, 'f1', 128).toFixed(4)}`);
    }
    const gapProb = (ann['softDice'] as number) - at(prob, 'softDice', 128);
    const gapLogit = Math.abs((ann['softDice'] as number) - at(logit, 'softDice', 128));
    expect(gapProb).toBeGreaterThan(0.02);
    expect(gapLogit).toBeLessThan(gapProb / 2);
    // the hard prediction is the same map either way (σ(mean) > ½ ⇔ mean > 0, mean of σ > ½ nearly so)
    expect(Math.abs(at(logit, 'f1', 128) - at(prob, 'f1', 128))).toBeLessThanOrEqual(0.01);
  });
});
