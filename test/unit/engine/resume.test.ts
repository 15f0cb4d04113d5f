// ConvertOptions.resume: batches an earlier attempt simulated (their BatchReport sums, as committed
// per batch) are added to the totals and not simulated again; the result equals an uninterrupted
// run's per-step series, each batch counted once.
import * as tfl from '@tensorflow/tfjs-layers';
import { convertAndSimulate, type BatchReport, type ConversionData } from '../../../src/engine/conversion/index.js';
import { InvalidConversionInputError } from '../../../src/engine/errors.js';
import { buildModel } from '../../../src/engine/zoo/index.js';
import type { BatchSums } from '../../../src/formats/worker.js';
import { discs, randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

const cpu = { backend: 'cpu', threads: 1 } as const;

function classifier(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 7 }),
    ],
  });
  seedWeights(m, 5);
  return m;
}

function classes(n: number): ConversionData {
  const rand = rng(n + 1);
  const split = { images: randomArray(n * 36, rand), labels: Float32Array.from({ length: n }, () => Math.floor(rand() * 7)), count: n };
  return { calibration: split, test: split, task: 'classification', numClasses: 7 };
}

const stored = (r: BatchReport): BatchSums => ({ batch: r.batch, samples: r.batchSamples, sums: r.sums });

describe('convertAndSimulate resumes after stored batches', () => {
  it('classification: stored batches 1 and 3 (one given twice) are not simulated again; the series equals the full run', async () => {
    const m = classifier();
    const d = classes(8);
    const cfg = { timeSteps: 10, batchSize: 3, calibrationBatches: 2 };
    const full: BatchReport[] = [];
    const a = await convertAndSimulate(m, d, cfg, { ...cpu, onBatch: (r) => full.push(r) });
    expect(full.map((r) => r.batchSamples)).toEqual([3, 3, 2]);
    expect(Object.keys(full[0]!.sums).sort()).toEqual(['top1', 'top5']);
    const again: BatchReport[] = [];
    const b = await convertAndSimulate(m, d, cfg, { ...cpu, resume: [stored(full[0]!), stored(full[2]!), stored(full[0]!)], onBatch: (r) => again.push(r) });
    expect(again.map((r) => r.batch)).toEqual([2]);
    expect(again[0]!.sums).toEqual(full[1]!.sums);
    expect(again[0]!.samples).toBe(8);
    expect(b.samples).toBe(8);
    expect(b.stepMetrics).toEqual(a.stepMetrics);
    expect(b.warnings.join(' ')).toMatch(/resumed after 2 of 3 batches/);
    m.dispose();
  });

  it('refuses a stored batch that does not match the run (size, index, missing sums)', async () => {
    const m = classifier();
    const d = classes(8);
    const cfg = { timeSteps: 4, batchSize: 3, calibrationBatches: 1 };
    const sums = { top1: [0, 0, 0, 0], top5: [0, 0, 0, 0] };
    await expect(convertAndSimulate(m, d, cfg, { ...cpu, resume: [{ batch: 3, samples: 3, sums }] })).rejects.toBeInstanceOf(InvalidConversionInputError);
    await expect(convertAndSimulate(m, d, cfg, { ...cpu, resume: [{ batch: 4, samples: 2, sums }] })).rejects.toThrow(/stored batch 4/);
    await expect(convertAndSimulate(m, d, cfg, { ...cpu, resume: [{ batch: 1, samples: 3, sums: { top1: [0, 0] } }] })).rejects.toThrow(/no top1 sums over 4 steps/);
    m.dispose();
  });

  it('segmentation: the per-image and pooled sums of a stored batch give the full run\'s metrics', async () => {
    const H = 8;
    const model = buildModel({ architecture: 'unet', inputShape: [H, H, 1], numClasses: 1, widthMultiplier: 1, depth: 1, baseWidth: 4 }, { seed: 3 });
    const split = discs(5, H, 4);
    const d: ConversionData = { calibration: split, test: split, task: 'segmentation', numClasses: 1 };
    const cfg = { timeSteps: 6, batchSize: 2, calibrationBatches: 1 };
    const full: BatchReport[] = [];
    const a = await convertAndSimulate(model, d, cfg, { ...cpu, panels: 0, onBatch: (r) => full.push(r) });
    const b = await convertAndSimulate(model, d, cfg, { ...cpu, panels: 0, resume: [stored(full[1]!)] });
    for (const [k, v] of Object.entries(a.stepMetrics)) {
      (b.stepMetrics[k] as number[]).forEach((x, i) => expect(Math.abs(x - (v[i] as number))).toBeLessThan(1e-12));
    }
    model.dispose();
  });
});
