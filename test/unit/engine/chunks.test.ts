import * as tfl from '@tensorflow/tfjs-layers';
import { CHUNK_STATE_BYTES, chunksOf, convertAndSimulate, MIN_CHUNK_SAMPLES, simulationChunk, type BatchReport, type ConversionData, type SnnPlan } from '../../../src/engine/conversion/index.js';
import { InvalidConversionInputError } from '../../../src/engine/errors.js';
import { discs, randomArray, rng, seedWeights, smallClassifier, useWasm } from './helpers.js';

beforeAll(useWasm);

const cpu = { backend: 'cpu', threads: 1 } as const;

function segmenter(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }),
    ],
  });
  seedWeights(m, 8);
  return m;
}

/** A plan whose states hold `perSample` values per sample (what simulationChunk reads). */
const planOf = (perSample: number): Pick<SnnPlan, 'states'> => ({ states: [{ name: 's', shape: [perSample], init: 0 }] });

describe('simulating a test batch in chunks', () => {
  it('simulationChunk: the whole batch when its states fit, else equal chunks that fit (never below the minimum), scaled by threads', () => {
    const fits = CHUNK_STATE_BYTES / 4 / 1000; // samples of 1 000 values that fit
    expect(simulationChunk(planOf(1000), 64)).toBe(64);
    expect(simulationChunk(planOf(1000), Math.floor(fits))).toBe(Math.floor(fits));
    const c = simulationChunk(planOf(1000), 4096);
    expect(c).toBeLessThanOrEqual(fits);
    expect(Math.ceil(4096 / c)).toBe(Math.ceil(4096 / Math.floor(fits)));
    // huge samples: MIN_CHUNK_SAMPLES (or the caller's minimum, e.g. the panel count)
    expect(simulationChunk(planOf(1e8), 1024)).toBe(MIN_CHUNK_SAMPLES);
    expect(simulationChunk(planOf(1e8), 1024, 1, 40)).toBe(40);
    // two threads: twice the bytes, and at least twice the minimum
    expect(simulationChunk(planOf(1e8), 1024, 2)).toBe(2 * MIN_CHUNK_SAMPLES);
    expect(simulationChunk(planOf(1000), 4096, 2)).toBeGreaterThan(c);
    expect(simulationChunk(planOf(1e8), 10)).toBe(10);
    expect(chunksOf([5, 6, 7, 8, 9], 2)).toEqual([
      { offset: 0, indices: [5, 6] },
      { offset: 2, indices: [7, 8] },
      { offset: 4, indices: [9] },
    ]);
  });

  it('classification: per-step metrics, batch sums and the early-exit record are identical to the whole-batch run; spike statistics agree', async () => {
    const m = smallClassifier();
    const n = 50;
    const rand = rng(3);
    const split = { images: randomArray(n * 36, rand), labels: Float32Array.from({ length: n }, () => Math.floor(rand() * 3)), count: n };
    const data: ConversionData = { calibration: split, test: split, task: 'classification', numClasses: 3 };
    const config = { timeSteps: 20, batchSize: 24, calibrationBatches: 1, earlyExitPatience: 3 };
    const whole: BatchReport[] = [];
    const chunked: BatchReport[] = [];
    // batches of 24, 24, 2; chunks of 5 (the last one of each batch shorter), K = 7 across chunk ends
    const a = await convertAndSimulate(m, data, config, { ...cpu, stepsPerCall: 7, chunkSamples: 24, onBatch: (r) => whole.push(r) });
    const b = await convertAndSimulate(m, data, config, { ...cpu, stepsPerCall: 7, chunkSamples: 5, onBatch: (r) => chunked.push(r) });
    expect(b.stepMetrics).toEqual(a.stepMetrics);
    expect(chunked).toEqual(whole);
    expect(b.earlyExit).toEqual(a.earlyExit);
    expect(b.layerStats.length).toBe(a.layerStats.length);
    b.layerStats.forEach((s, i) => {
      const r = a.layerStats[i]!;
      expect(Math.abs(s.firingRate - r.firingRate)).toBeLessThanOrEqual(1e-6 * Math.max(1, r.firingRate));
      expect(Math.abs(s.sops - r.sops)).toBeLessThanOrEqual(1e-6 * Math.max(1, r.sops));
    });
    // the accuracy curve is not trivially flat: the comparison above has something to compare
    expect(new Set(a.stepMetrics['accuracy']).size).toBeGreaterThan(1);
    m.dispose();
  });

  it('segmentation: per-step metrics and panels are identical to the whole-batch run', async () => {
    const m = segmenter();
    const set = discs(30, 6, 4);
    const data: ConversionData = { calibration: set, test: set, task: 'segmentation', numClasses: 1 };
    const config = { timeSteps: 12, batchSize: 16, calibrationBatches: 1 };
    const a = await convertAndSimulate(m, data, config, { ...cpu, chunkSamples: 16, panels: 3 });
    const b = await convertAndSimulate(m, data, config, { ...cpu, chunkSamples: 3, panels: 3 });
    expect(b.stepMetrics).toEqual(a.stepMetrics);
    expect(b.panels).toEqual(a.panels);
    expect(b.panels).toBeDefined();
    m.dispose();
  });

  it('a chunk size that is not a positive integer is refused', async () => {
    const m = smallClassifier();
    const split = { images: randomArray(4 * 36, rng(1)), labels: new Float32Array(4), count: 4 };
    const data: ConversionData = { calibration: split, test: split, task: 'classification', numClasses: 3 };
    await expect(convertAndSimulate(m, data, { timeSteps: 2, batchSize: 4 }, { ...cpu, chunkSamples: 0 })).rejects.toThrow(InvalidConversionInputError);
    m.dispose();
  });
});
