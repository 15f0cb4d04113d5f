// npm run study: the original study reproduced on this project's engine. Trains VGG-11/16 and
// ResNet-18/34 at each width on Fashion-MNIST (and CIFAR-10 when given), converts each at T = 64
// (p = 0.99, Γ = 5, LIPool), sweeps Γ × p on a few backbones, trains and converts a UNet on the
// synthetic EM set, and writes experiments/study/README.md, results.json and PNG figures.
// Flags: `npm run study -- --help` (experiments/study/options.ts).
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '../../src/data/index.js';
import type { LoadedDataset } from '../../src/data/types.js';
import { describeBackend, initBackend } from '../../src/engine/backend/index.js';
import { defaultThreads } from '../../src/engine/ort/index.js';
import { describeModel } from '../../src/engine/zoo/index.js';
import { renderSegmentationPanels } from '../../client/report/panels.js';
import { writeFileAtomic } from '../../client/report/render.js';
import type { ZooModelSpec } from '../../src/formats/model.js';
import { CIFAR10_FILES, checkDataDir, FASHION_FILES, parseStudyArgs, UsageError, USAGE, type StudySettings } from './options.js';
import { resultsJson, UNET_PANELS, writeReport, type DatasetStudy, type StudyResults, type UnetStudy } from './report.js';
import { classificationSpec, convertBackbone, headOf, studyBackbone, trainBackbone, type Log } from './study.js';

/** The command line that reproduces a run (flags as given). */
function commandLine(argv: readonly string[]): string {
  return argv.length === 0 ? 'npm run study' : `npm run study -- ${argv.map((a) => (/^[\w@.,=/:-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;
}

async function loadClassification(key: 'fashion-mnist' | 'cifar10', dir: string, s: StudySettings): Promise<LoadedDataset> {
  const format = key === 'cifar10' ? 'cifar10' : 'idx';
  return loadDataset({ format, path: dir, task: 'classification' }, { maxTrain: s.trainSamples, maxTest: Math.max(s.testSamples, s.sweep.testSamples), validationSplit: 0.1, seed: s.seed });
}

async function studyDataset(key: 'fashion-mnist' | 'cifar10', dir: string, s: StudySettings, results: StudyResults, save: () => Promise<void>, log: Log): Promise<void> {
  const t0 = performance.now();
  const data = await loadClassification(key, dir, s);
  const per = data.imageShape[0] * data.imageShape[1] * data.imageShape[2];
  const test = headOf(data.test, s.testSamples, per, 1);
  const sweepTest = headOf(data.test, s.sweep.testSamples, per, 1);
  const ds: DatasetStudy = {
    key,
    name: key === 'cifar10' ? 'CIFAR-10' : 'Fashion-MNIST',
    path: dir,
    imageShape: data.imageShape,
    trainImages: data.train.count,
    validationImages: data.validation?.count ?? 0,
    testImages: test.count,
    sweepTestImages: sweepTest.count,
    backbones: [],
    sweeps: [],
  };
  results.datasets.push(ds);
  log(`${ds.name}: ${ds.trainImages} training + ${ds.validationImages} validation images (${dir}); ${ds.testImages} test images`);
  // Narrow widths first, so that an interrupted run still holds complete comparisons.
  for (const width of s.widths) {
    for (const architecture of s.architectures) {
      const spec: ZooModelSpec = classificationSpec(architecture, width, data.imageShape, data.numClasses);
      const inSweep = s.sweep.backbones.some((b) => b.architecture === architecture && b.width === width);
      const r = await studyBackbone(
        spec,
        data,
        test,
        { epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, augment: false, validationSplit: 0.1, seed: s.seed },
        { timeSteps: s.timeSteps, percentile: 0.99, gamma: 5, maxPool: 'lipool', batchSize: 100, seed: s.seed },
        log,
        inSweep ? { gammas: s.sweep.gammas, percentiles: s.sweep.percentiles, timeSteps: s.sweep.timeSteps, test: sweepTest } : undefined,
      );
      ds.backbones.push(r.backbone);
      if (r.sweep) ds.sweeps.push(r.sweep);
      await save();
    }
  }
  log(`${ds.name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

async function studyUnet(s: StudySettings, log: Log): Promise<UnetStudy> {
  const u = s.unet;
  const data = await loadDataset(
    { format: 'synthetic-segmentation', task: 'segmentation', options: { size: u.size, trainCount: u.trainSamples, testCount: u.testSamples, seed: s.seed } },
    { validationSplit: 0.1, seed: s.seed },
  );
  const spec: ZooModelSpec = { architecture: 'unet', inputShape: [u.size, u.size, 1], numClasses: 1, widthMultiplier: 1, depth: u.depth, baseWidth: u.baseWidth };
  const d = describeModel(spec);
  const label = `UNet (depth ${u.depth}, base width ${u.baseWidth})`;
  const { model, record } = await trainBackbone(spec, data, { epochs: u.epochs, batchSize: 16, learningRate: s.learningRate, augment: true, validationSplit: 0.1, seed: s.seed }, log, `train ${label}`);
  try {
    const conversion = await convertBackbone(model, data, data.test, { timeSteps: u.timeSteps, percentile: 0.99, gamma: 5, maxPool: 'lipool', batchSize: 16, seed: s.seed }, log, `convert ${label}`, { panels: 3 });
    // The panels become a PNG now; results.json keeps the numbers, not the pixels.
    if (conversion.panels && conversion.panels.length > 0) await renderSegmentationPanels(conversion.panels, join(s.outDir, UNET_PANELS), 128);
    delete conversion.panels;
    return { label, spec, parameters: d.parameterCount, macs: d.macs, trainImages: data.train.count, validationImages: data.validation?.count ?? 0, testImages: data.test.count, training: record, conversion };
  } finally {
    model.dispose();
  }
}

async function main(argv: string[]): Promise<number> {
  let s: StudySettings | null;
  try {
    s = parseStudyArgs(argv, process.env);
    if (s === null) {
      console.log(USAGE);
      return 0;
    }
    if (!s.reportOnly) {
      checkDataDir('Fashion-MNIST (apt-get install dataset-fashion-mnist, or --fashion DIR)', s.fashionDir, FASHION_FILES);
      if (s.cifar10Dir !== null) checkDataDir('CIFAR-10 (--cifar10 DIR: the binary version)', s.cifar10Dir, CIFAR10_FILES);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`study: ${e.message}`);
      return 2;
    }
    throw e;
  }
  mkdirSync(s.outDir, { recursive: true });
  const resultsPath = join(s.outDir, 'results.json');
  if (s.reportOnly) {
    const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as StudyResults;
    for (const f of await writeReport(results, s.outDir)) console.log(`wrote ${f}`);
    return 0;
  }

  const started = Date.now();
  const log: Log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);
  const backend = await initBackend('auto');
  const cpus = os.cpus();
  const results: StudyResults = {
    version: 1,
    complete: false,
    startedAt: new Date(started).toISOString(),
    finishedAt: null,
    wallSeconds: 0,
    command: commandLine(argv),
    machine: {
      cpuModel: cpus[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      trainingBackend: describeBackend(backend),
      tfjsCore: tf.version_core,
      conversionBackend: 'ONNX Runtime (onnxruntime-node), CPU execution provider',
      ortThreads: defaultThreads(),
    },
    settings: { ...s, outDir: relative(process.cwd(), s.outDir) || '.' },
    datasets: [],
    unet: null,
  };
  const save = async (): Promise<void> => {
    results.wallSeconds = (Date.now() - started) / 1000;
    await writeFileAtomic(resultsPath, resultsJson(results));
    await writeReport(results, s.outDir);
  };
  log(`study: ${results.command}`);
  log(`machine: ${results.machine.cpuModel}, ${results.machine.cores} cores, load ${results.machine.loadAverageAtStart.join(' ')}, Node ${process.version}`);
  log(`training backend: ${results.machine.trainingBackend}; conversion: ONNX Runtime CPU, ${results.machine.ortThreads} threads`);
  log(`settings: ${JSON.stringify({ ...s, outDir: undefined })}`);

  await studyDataset('fashion-mnist', s.fashionDir, s, results, save, log);
  if (s.cifar10Dir !== null) await studyDataset('cifar10', s.cifar10Dir, s, results, save, log);
  if (s.unet.enabled) {
    results.unet = await studyUnet(s, log);
    await save();
  }
  results.complete = true;
  results.finishedAt = new Date().toISOString();
  await save();
  log(`study finished in ${results.wallSeconds.toFixed(0)} s; report in ${join(s.outDir, 'README.md')}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`study failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
