// Engine-level check of an ONNX import, as a new user would try it: the PyTorch-trained Fashion-MNIST
// fixtures (test/fixtures/onnx) imported, ANN accuracy on the first 1000 test images compared with
// PyTorch's recorded one, then converted at T = 64 (defaults otherwise; calibration on 100 training
// images). Run: npm run build && node dist/experiments/onnx-fashion-mnist.js [fixture …]
import { readFileSync } from 'node:fs';
import { readIdxPair } from '../src/data/idx.js';
import { normalizeBytes } from '../src/data/normalize.js';
import type { Split } from '../src/data/types.js';
import { convertAndSimulate } from '../src/engine/conversion/index.js';
import { importOnnx } from '../src/engine/onnx/index.js';

const FMNIST = process.env.FMNIST ?? '/usr/share/datasets/fashion-mnist';
const fixtures = new URL('../../test/fixtures/onnx/', import.meta.url);

async function split(prefix: 'train' | 't10k', n: number): Promise<Split> {
  const raw = await readIdxPair(FMNIST, prefix, n);
  return { images: normalizeBytes(raw.images, 1, 'standard', [0.286], [0.353]), labels: Float32Array.from(raw.labels), count: raw.count };
}

const names = process.argv.slice(2);
for (const name of names.length > 0 ? names : ['fmnist_vgg', 'fmnist_resnet']) {
  const want = (JSON.parse(readFileSync(new URL(`${name}.json`, fixtures), 'utf8')) as { accuracyFirst1000: number }).accuracyFirst1000;
  const r = importOnnx(readFileSync(new URL(`${name}.onnx`, fixtures)));
  const started = Date.now();
  const res = await convertAndSimulate(r.graph, { calibration: await split('train', 100), test: await split('t10k', 1000), task: 'classification', numClasses: r.numClasses }, { timeSteps: 64, batchSize: 100 });
  const acc = res.stepMetrics.accuracy ?? [];
  console.log(JSON.stringify({
    model: name, family: r.family, parameters: r.parameterCount, macs: r.macs,
    annAccuracy: res.annMetrics.accuracy, pytorchAccuracy: Number(want.toFixed(4)),
    snnAccuracy: { t8: acc[7], t16: acc[15], t32: acc[31], t64: acc[63] }, lossAtT: res.summary.lossAtT, firstStepWithin1: res.summary.firstStepWithin1,
    backend: res.backend, seconds: (Date.now() - started) / 1000,
  }));
}
