import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { convertAndSimulate, exportSnn, readoutAt, type ConversionData, type SnnContract } from '../../../src/engine/conversion/index.js';
import { InvalidConversionInputError } from '../../../src/engine/errors.js';
import { discs, seedWeights, useWasm } from './helpers.js';
import { referenceLayers, referenceSimulate } from './reference.js';

beforeAll(useWasm);

const H = 6;
const cpu = { backend: 'cpu', threads: 1 } as const;

function net(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [H, H, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }),
    ],
  });
  seedWeights(m, 8);
  // a steep head: per-step logits far from 0, where the sigmoid bends (the Jensen gap)
  const head = m.layers[1]!;
  head.setWeights(head.getWeights().map((w) => tf.mul(w, 8)));
  return m;
}

/** Soft Dice per image, averaged: (2Σqy + 1) / (Σq + Σy + 1). */
function softDice(q: ArrayLike<number>, y: ArrayLike<number>, images: number): number {
  const per = q.length / images;
  let sum = 0;
  for (let b = 0; b < images; b++) {
    let inter = 0;
    let sq = 0;
    let sy = 0;
    for (let i = b * per; i < (b + 1) * per; i++) {
      inter += (q[i] as number) * (y[i] as number);
      sq += q[i] as number;
      sy += y[i] as number;
    }
    sum += (2 * inter + 1) / (sq + sy + 1);
  }
  return sum / images;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

describe('segmentation readout', () => {
  it('readoutAt: the running mean of probabilities, or the sigmoid of the running mean logit', () => {
    expect(Array.from(readoutAt(Float32Array.of(1.5, 0.3), 3, 'mean-probability'))).toEqual([Math.fround(1.5) / 3, Math.fround(0.3) / 3].map(Math.fround));
    const q = readoutAt(Float32Array.of(-6, 3), 3, 'mean-logit');
    expect(q[0]).toBeCloseTo(sigmoid(-2), 6);
    expect(q[1]).toBeCloseTo(sigmoid(1), 6);
  });

  it('both readouts match soft Dice computed from a plain float64 simulation of the per-step logits', async () => {
    const m = net();
    const n = 5;
    const set = discs(n, H, 4);
    const data: ConversionData = { calibration: set, test: set, task: 'segmentation', numClasses: 1 };
    const T = 12;
    const config = { timeSteps: T, gamma: 2, percentile: 0.9, batchSize: n };
    const prob = await convertAndSimulate(m, data, config, cpu);
    const logit = await convertAndSimulate(m, data, { ...config, readout: 'mean-logit' }, cpu);
    expect(logit.lambdas).toEqual(prob.lambdas);
    // The reference simulates conv(relu) → conv 1×1 and accumulates the head's logits (no sigmoid).
    const ref = referenceSimulate(referenceLayers(m, Object.values(prob.lambdas!).map((v) => Float32Array.from(v))), set.images, n, T, 2);
    const sumSigmoid = new Float64Array(n * H * H);
    for (let t = 1; t <= T; t++) {
      const acc = ref.acc[t - 1]!;
      const prev = t > 1 ? ref.acc[t - 2]! : new Float64Array(acc.length);
      for (let i = 0; i < acc.length; i++) sumSigmoid[i] = sumSigmoid[i]! + sigmoid(acc[i]! - prev[i]!);
      const meanProbability = softDice(sumSigmoid.map((v) => v / t), set.labels, n);
      const meanLogit = softDice(acc.map((v) => sigmoid(v / t)), set.labels, n);
      expect(prob.stepMetrics['softDice']![t - 1]).toBeCloseTo(meanProbability, 5);
      expect(logit.stepMetrics['softDice']![t - 1]).toBeCloseTo(meanLogit, 5);
    }
    // not the same number twice: the readouts differ on this net
    const gap = Math.max(...logit.stepMetrics['softDice']!.map((v, i) => Math.abs(v - prob.stepMetrics['softDice']![i]!)));
    expect(gap).toBeGreaterThan(1e-3);
    // the exported SNN of the mean-logit run accumulates the logits, as the run did
    const file = exportSnn(m, logit.lambdas!, logit.config);
    const contract = file.contract as SnnContract;
    expect(contract.output.meaning).toMatch(/σ\(Σ\/t\).*mean-logit/);
    const session = await ort.InferenceSession.create(file.bytes);
    const feeds: Record<string, ort.Tensor> = { input: new ort.Tensor('float32', set.images.slice(), [n, 1, H, H]) };
    for (const st of contract.states) feeds[st.name] = new ort.Tensor('float32', new Float32Array(n * st.shape.reduce((a, b) => a * b, 1)).fill(st.init as number), [n, ...st.shape]);
    let exported: Float32Array | null = null;
    for (let call = 0; call * contract.stepsPerCall < T; call++) {
      const out = await session.run(feeds);
      for (const st of contract.states) feeds[st.name] = out[st.name.replace(/^state:/, 'next:')]!;
      const k = T - call * contract.stepsPerCall;
      if (k <= contract.stepsPerCall) exported = out[`output:${k}`]!.data as Float32Array;
    }
    await session.release();
    expect(exported).not.toBeNull();
    exported!.forEach((v, i) => expect(v).toBeCloseTo(ref.acc[T - 1]![i]!, 3));
    // panels show the readout's map at T
    const panel = logit.panels![0]!;
    const acc = ref.acc[T - 1]!;
    // (panels store 3 decimals)
    panel.snn.forEach((v, i) => expect(v).toBeCloseTo(sigmoid(acc[i]! / T), 3));
    m.dispose();
  });

  it('refuses mean-logit for classification and for a head without a sigmoid', async () => {
    const cls = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 2, activation: 'relu' }), tfl.layers.dense({ units: 2 })] });
    const vec = { images: Float32Array.of(0, 1, 1, 0), labels: Float32Array.of(0, 1), count: 2 };
    await expect(convertAndSimulate(cls, { calibration: vec, test: vec, task: 'classification', numClasses: 2 }, { readout: 'mean-logit' }, cpu)).rejects.toThrow(/readout mean-logit applies to segmentation only/);
    const seg = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [H, H, 1], filters: 2, kernelSize: 1, activation: 'relu' }), tfl.layers.conv2d({ filters: 1, kernelSize: 1 })] });
    const set = discs(2, H, 1);
    const run = convertAndSimulate(seg, { calibration: set, test: set, task: 'segmentation', numClasses: 1 }, { readout: 'mean-logit', timeSteps: 2 }, cpu);
    await expect(run).rejects.toBeInstanceOf(InvalidConversionInputError);
    await expect(run).rejects.toThrow(/needs a sigmoid head/);
    cls.dispose();
    seg.dispose();
  });
});
