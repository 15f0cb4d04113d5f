// Training benchmark: throughput of the real training loop on the default backend, and the time
// of one Fashion-MNIST epoch with the small CNN. Prints a table, then one JSON line (last line).
//   npm run bench:train            (BENCH_FULL_EPOCH=1 trains the whole epoch instead of a timed subset)
import { access } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '../src/data/index.js';
import type { LoadedDataset } from '../src/data/types.js';
import { describeBackend, initBackend } from '../src/engine/backend/index.js';
import { evaluate, trainModel } from '../src/engine/train/index.js';
import { buildModel, describeModel } from '../src/engine/zoo/index.js';
import type { ZooModelSpec } from '../src/formats/model.js';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../src/formats/training.js';

const FASHION = '/usr/share/datasets/fashion-mnist';

/** mflopsPerImage: training FLOPs per image ≈ 6 × forward MACs (2 forward + 4 backward). */
interface Row { case: string; params: number; mflopsPerImage: number; batch: number; images: number; seconds: number; imagesPerSecond: number; note: string }

/** Trains one epoch over `data.train` and times the iterations after the first (warm-up) one. */
async function throughput(name: string, spec: ZooModelSpec, data: LoadedDataset, batch: number, note = ''): Promise<Row> {
  const model = buildModel(spec, { seed: 0 });
  const cfg: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, epochs: 1, batchSize: batch, validationSplit: 0, augment: true };
  const stamps: number[] = [];
  await trainModel(model, { ...data, validation: undefined }, cfg, { onIteration: () => stamps.push(performance.now()) });
  model.dispose();
  const images = (stamps.length - 1) * batch;
  const seconds = (stamps[stamps.length - 1]! - stamps[0]!) / 1000;
  const d = describeModel(spec);
  return { case: name, params: d.parameterCount, mflopsPerImage: (6 * d.macs) / 1e6, batch, images, seconds, imagesPerSecond: images / seconds, note };
}

function table(rows: Row[]): string {
  const head = ['case', 'params', 'train MFLOP/img', 'batch', 'images', 'seconds', 'images/s', 'note'];
  const body = rows.map((r) => [r.case, r.params.toLocaleString('en'), r.mflopsPerImage.toFixed(1), String(r.batch), String(r.images), r.seconds.toFixed(2), r.imagesPerSecond.toFixed(1), r.note]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i]!)).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const backend = await initBackend('auto');
  const t0 = performance.now();
  const rows: Row[] = [];

  const cnnSpec: ZooModelSpec = { architecture: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, widthMultiplier: 1 };
  const synth28 = await loadDataset({ format: 'synthetic-classification', task: 'classification', options: { size: 28, trainCount: 64 * 21, testCount: 0, seed: 0 } });
  rows.push(await throughput('cnn-small 28×28×1 (synthetic)', cnnSpec, synth28, 64));

  const vggSpec: ZooModelSpec = { architecture: 'vgg11', inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 0.125 };
  const synth32 = await loadDataset({ format: 'synthetic-classification', task: 'classification', options: { size: 32, channels: 3, trainCount: 32 * 11, testCount: 0, seed: 0 } });
  rows.push(await throughput('vgg11 ×0.125 32×32×3 (synthetic)', vggSpec, synth32, 32));

  let fashion: Record<string, unknown> = { available: false, install: 'apt-get install dataset-fashion-mnist' };
  const present = await access(`${FASHION}/train-images-idx3-ubyte.gz`).then(() => true, () => false);
  if (present) {
    const full = process.env['BENCH_FULL_EPOCH'] === '1';
    const subset = full ? 60000 : 3840;
    const tl = performance.now();
    const data = await loadDataset({ format: 'idx', path: FASHION, task: 'classification' }, { maxTrain: subset, maxTest: 2000 });
    const loadSeconds = (performance.now() - tl) / 1000;
    const model = buildModel(cnnSpec, { seed: 0 });
    const cfg: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, epochs: 1, batchSize: 64, learningRate: 0.05, validationSplit: 0, augment: false, seed: 0 };
    const te = performance.now();
    await trainModel(model, { ...data, validation: undefined }, cfg);
    const trainSeconds = (performance.now() - te) / 1000;
    const acc = (await evaluate(model, data, data.test, 256)).metric;
    model.dispose();
    const ips = data.train.count / trainSeconds;
    rows.push({ case: `cnn-small Fashion-MNIST (${full ? 'full epoch' : `${data.train.count}-image subset`})`, params: describeModel(cnnSpec).parameterCount, mflopsPerImage: (6 * describeModel(cnnSpec).macs) / 1e6, batch: 64, images: data.train.count, seconds: trainSeconds, imagesPerSecond: ips, note: full ? 'measured' : 'subset, timed' });
    fashion = {
      available: true,
      trainImagesTimed: data.train.count,
      trainSeconds,
      epochSeconds: full ? trainSeconds : 60000 / ips,
      epochSecondsIsExtrapolated: !full,
      loadSecondsForSubset: loadSeconds,
      testAccuracyAfterTimedRun: acc,
      testImages: data.test.count,
    };
  }

  console.log(`Training benchmark — ${describeBackend(backend)}, tfjs-core ${tf.version_core}`);
  console.log(table(rows));
  if (present) {
    const f = fashion as { epochSeconds: number; epochSecondsIsExtrapolated: boolean; testAccuracyAfterTimedRun: number; testImages: number };
    console.log(`Fashion-MNIST, one epoch (60 000 images) with cnn-small: ${f.epochSeconds.toFixed(1)} s${f.epochSecondsIsExtrapolated ? ' — EXTRAPOLATED from the timed subset above (BENCH_FULL_EPOCH=1 measures it)' : ' (measured)'}; test accuracy after the timed run on ${f.testImages} test images: ${f.testAccuracyAfterTimedRun.toFixed(3)}`);
  } else {
    console.log(`Fashion-MNIST not found at ${FASHION}: install it with \`apt-get install dataset-fashion-mnist\` to time a real epoch.`);
  }
  const summary = {
    bench: 'train',
    backend: backend.name,
    threads: backend.threads,
    cnnSmallImagesPerSecond: rows[0]!.imagesPerSecond,
    vggNarrowImagesPerSecond: rows[1]!.imagesPerSecond,
    vggNarrowSpec: vggSpec,
    fashionMnist: fashion,
    totalSeconds: (performance.now() - t0) / 1000,
  };
  console.log(JSON.stringify(summary));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
