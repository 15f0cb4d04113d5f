// Early exit and calibration clip on a real model: the PyTorch-trained Fashion-MNIST VGG of
// test/fixtures/onnx, imported, calibrated on 100 training images, simulated on the first 500 test
// images for T = 64 (p = 0.99, Γ = 5) in one convertSweep: the fixed-T run and early-exit rules,
// and calibrationClip none vs gamma at T = 4. Prints one JSON line per config.
// Run: npm run build && node dist/experiments/early-exit.js
import { readFileSync } from 'node:fs';
import { readIdxPair } from '../src/data/idx.js';
import { normalizeBytes } from '../src/data/normalize.js';
import type { Split } from '../src/data/types.js';
import { convertSweep } from '../src/engine/conversion/index.js';
import { importOnnx } from '../src/engine/onnx/index.js';
import { DEFAULT_CONVERSION_CONFIG, type ConversionConfig } from '../src/formats/conversion.js';

const FMNIST = process.env.FMNIST ?? '/usr/share/datasets/fashion-mnist';
const fixtures = new URL('../../test/fixtures/onnx/', import.meta.url);

async function split(prefix: 'train' | 't10k', n: number): Promise<Split> {
  const raw = await readIdxPair(FMNIST, prefix, n);
  return { images: normalizeBytes(raw.images, 1, 'standard', [0.286], [0.353]), labels: Float32Array.from(raw.labels), count: raw.count };
}

const r = importOnnx(readFileSync(new URL('fmnist_vgg.onnx', fixtures)));
const base: ConversionConfig = { ...DEFAULT_CONVERSION_CONFIG, timeSteps: 64, batchSize: 100 };
const configs: ConversionConfig[] = [
  { ...base, earlyExitPatience: 4 },
  { ...base, earlyExitPatience: 8 },
  { ...base, earlyExitMargin: 2 },
  { ...base, timeSteps: 4 },
  { ...base, timeSteps: 4, calibrationClip: 'gamma' },
];
const started = Date.now();
await convertSweep(r.graph, { calibration: await split('train', 100), test: await split('t10k', 500), task: 'classification', numClasses: r.numClasses }, configs, {
  onResult: (i, res) => {
    const c = configs[i] as ConversionConfig;
    const acc = res.stepMetrics['accuracy'] ?? [];
    const e = res.earlyExit;
    console.log(JSON.stringify({
      T: c.timeSteps, calibrationClip: c.calibrationClip, patience: c.earlyExitPatience ?? null, margin: c.earlyExitMargin ?? null,
      ann: res.annMetrics['accuracy'], snnAtT: acc[c.timeSteps - 1], sopsAtT: res.summary.sops, energyRatioAtT: res.summary.energyRatio,
      lambdas: res.layerStats.filter((s) => s.kind === 'if').map((s) => Number(s.lambda.toFixed(3))),
      ...(e && { earlyExit: { accuracy: e.accuracy, meanSteps: e.meanSteps, fixedAtMeanSteps: acc[Math.ceil(e.meanSteps) - 1], exited: e.exited, sops: e.sops, energyRatio: e.energyRatio, sopsFraction: e.sops / e.fixedSops, histogram: e.stepsHistogram } }),
      seconds: (Date.now() - started) / 1000,
    }));
  },
});
