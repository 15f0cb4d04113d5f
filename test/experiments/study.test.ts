// npm run study's pieces, cheaply: the flag parser, the data-directory check, and one real tiny
// backbone (trained on tfjs, converted on ONNX Runtime, 2 steps) through the report writer.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/backend/index.js';
import { checkDataDir, CIFAR10_FILES, DEFAULT_SETTINGS, parseStudyArgs, UsageError } from '../../experiments/study/options.js';
import { renderReadme, resultsJson, tableSteps, writeReport, type StudyResults } from '../../experiments/study/report.js';
import { classificationSpec, headOf, studyBackbone } from '../../experiments/study/study.js';

describe('study flags', () => {
  it('defaults, every flag, env and flag precedence', () => {
    const d = parseStudyArgs([]);
    expect(d).not.toBeNull();
    expect(d!.architectures).toEqual(['vgg11', 'vgg16', 'resnet18', 'resnet34']);
    expect(d!.widths).toEqual([0.25, 0.5]);
    expect(d!.timeSteps).toBe(64);
    expect(d!.cifar10Dir).toBeNull();
    expect(d!.reportOnly).toBe(false);

    const s = parseStudyArgs(
      ['--widths', '0.25,0.5,1', '--epochs=3', '--train-samples', '1000', '--test-samples', '50', '-T', '32', '--sweep', 'vgg16@0.5,resnet34@0.25',
        '--sweep-gamma', '1,2', '--sweep-percentile', '0.9,0.999', '--sweep-T', '8', '--no-unet', '--cifar10', '/data/c10', '--seed', '7', '--architectures', 'vgg11,resnet18'],
      { STUDY_CIFAR10: '/env/c10', STUDY_FASHION_MNIST: '/env/fm' },
    )!;
    expect(s.widths).toEqual([0.25, 0.5, 1]);
    expect(s.epochs).toBe(3);
    expect(s.trainSamples).toBe(1000);
    expect(s.testSamples).toBe(50);
    expect(s.timeSteps).toBe(32);
    expect(s.sweep.backbones).toEqual([{ architecture: 'vgg16', width: 0.5 }, { architecture: 'resnet34', width: 0.25 }]);
    expect(s.sweep.gammas).toEqual([1, 2]);
    expect(s.sweep.percentiles).toEqual([0.9, 0.999]);
    expect(s.sweep.timeSteps).toBe(8);
    expect(s.unet.enabled).toBe(false);
    expect(s.cifar10Dir).toBe('/data/c10'); // the flag wins over STUDY_CIFAR10
    expect(s.fashionDir).toBe('/env/fm');
    expect(s.seed).toBe(7);
    expect(s.architectures).toEqual(['vgg11', 'resnet18']);
    expect(parseStudyArgs(['--sweep', 'none'])!.sweep.backbones).toEqual([]);
    expect(parseStudyArgs(['--help'])).toBeNull();
    // The defaults object is not mutated by parsing.
    expect(DEFAULT_SETTINGS.widths).toEqual([0.25, 0.5]);
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--epochs'], /--epochs needs a value/],
    [['--epochs', '0'], /--epochs needs an integer in 1\.\./],
    [['--epochs', '1.5'], /--epochs needs an integer/],
    [['--widths', '0.25,,1'], /comma-separated list/],
    [['--widths', 'x'], /--widths needs a number/],
    [['--architectures', 'vgg11,alexnet'], /unknown architecture 'alexnet'/],
    [['--architectures', 'unet'], /unknown architecture 'unet'/],
    [['--sweep', 'vgg11'], /'vgg11' is not arch@width/],
    [['--sweep-percentile', '0'], /--sweep-percentile needs a number in \(0, 1\]/],
    [['--unet-size', '60'], /divisible by 8/],
    [['--lr', '--epochs'], /--lr needs a value/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseStudyArgs(argv)).toThrow(UsageError);
    expect(() => parseStudyArgs(argv)).toThrow(message);
  });

  it('checks a data directory and names the missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'study-data-'));
    try {
      expect(() => checkDataDir('CIFAR-10', join(dir, 'absent'), CIFAR10_FILES)).toThrow(/is not a directory/);
      for (const f of CIFAR10_FILES.slice(0, -1)) writeFileSync(join(dir, f), '');
      expect(() => checkDataDir('CIFAR-10', dir, CIFAR10_FILES)).toThrow(/has no test_batch\.bin/);
      writeFileSync(join(dir, 'test_batch.bin'), '');
      expect(() => checkDataDir('CIFAR-10', dir, CIFAR10_FILES)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('table steps are powers of two up to T, and T', () => {
    expect(tableSteps(64)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(tableSteps(48)).toEqual([1, 2, 4, 8, 16, 32, 48]);
    expect(tableSteps(1)).toEqual([1]);
  });
});

describe('study pipeline and report', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('one tiny backbone, trained and converted for real, becomes the report and its figures', async () => {
    const data = await loadDataset(
      { format: 'synthetic-classification', task: 'classification', options: { size: 28, trainCount: 96, testCount: 24, numClasses: 10, seed: 3, noise: 0.2 } },
      { validationSplit: 0.25, seed: 0 },
    );
    const spec = classificationSpec('vgg11', 0.125, data.imageShape, data.numClasses);
    const before = tf.memory().numTensors;
    const logs: string[] = [];
    const test = headOf(data.test, 16, 28 * 28, 1);
    const r = await studyBackbone(spec, data, test, { epochs: 1, batchSize: 32, augment: false, validationSplit: 0.25, seed: 0 }, { timeSteps: 2, batchSize: 16 }, (l) => logs.push(l), {
      gammas: [1, 5],
      percentiles: [0.99],
      timeSteps: 2,
      test: headOf(data.test, 8, 28 * 28, 1),
    });
    expect(tf.memory().numTensors).toBe(before);
    const b = r.backbone;
    expect(b.label).toBe('VGG-11 ×0.125');
    expect(b.family).toBe('plain');
    expect(b.training.trainImages).toBe(72);
    expect(b.conversion.samples).toBe(16);
    expect(b.conversion.stepMetrics['accuracy']).toHaveLength(2);
    expect(b.conversion.summary.sops).toBeGreaterThan(0);
    expect(r.sweep!.cells.map((c) => [c.gamma, c.percentile, c.series.length])).toEqual([[1, 0.99, 2], [5, 0.99, 2]]);
    expect(logs.some((l) => l.startsWith('convert VGG-11 ×0.125: accuracy ANN'))).toBe(true);

    const results: StudyResults = {
      version: 1,
      complete: true,
      startedAt: '2026-11-30T16:00:00.000Z',
      finishedAt: '2026-11-30T16:01:00.000Z',
      wallSeconds: 60,
      command: 'npm run study -- -T 2',
      machine: { cpuModel: 'test CPU', cores: 2, memoryGiB: 4, loadAverageAtStart: [1, 1, 1], node: process.version, platform: 'test', trainingBackend: 'backend wasm, 1 thread', tfjsCore: tf.version_core, conversionBackend: 'ONNX Runtime CPU', ortThreads: 1 },
      settings: { ...structuredClone(DEFAULT_SETTINGS), timeSteps: 2, widths: [0.125] },
      datasets: [{ key: 'fashion-mnist', name: 'Fashion-MNIST', path: '/x', imageShape: data.imageShape, trainImages: 72, validationImages: 24, testImages: 16, sweepTestImages: 8, backbones: [b], sweeps: [r.sweep!] }],
      unet: null,
    };
    const dir = mkdtempSync(join(tmpdir(), 'study-report-'));
    try {
      mkdirSync(dir, { recursive: true });
      const written = await writeReport(results, dir);
      expect(written).toEqual(['fashion-mnist-accuracy-vs-T.png', 'fashion-mnist-sweep-heatmap.png', 'README.md']);
      for (const f of written.filter((n) => n.endsWith('.png'))) {
        const png = readFileSync(join(dir, f));
        expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
        expect(png.readUInt32BE(16)).toBeGreaterThan(300); // width from the IHDR chunk
      }
      const md = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(md).toBe(renderReadme(results, written.slice(0, 2)));
      const acc = b.conversion.stepMetrics['accuracy']!;
      const row = md.split('\n').find((l) => l.startsWith('| VGG-11 ×0.125 | plain |'));
      expect(row).toBeDefined();
      const cells = row!.split('|').map((c) => c.trim());
      expect(cells.slice(3, 6)).toEqual([b.conversion.summary.annValue.toFixed(3), acc[0]!.toFixed(3), acc[1]!.toFixed(3)]);
      expect(md).toContain('| ResNet-18 | 0.97 → 0.10 |');
      expect(md).toContain('one ReLU module at two sites');
      expect(md).toContain('![Fashion-MNIST: sweep heat map](fashion-mnist-sweep-heatmap.png)');
      expect(md).not.toContain('Incomplete run');
      expect(renderReadme({ ...results, complete: false }, [])).toContain('Incomplete run');
      // A further run kept in a sub-directory is summarised, with a link, in the main report.
      mkdirSync(join(dir, 'long-T'));
      writeFileSync(join(dir, 'long-T', 'results.json'), resultsJson({ ...results, command: 'npm run study -- -T 2 --out long-T' }));
      await writeReport(results, dir);
      const withFurther = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(withFurther).toContain('## Further runs');
      expect(withFurther).toContain('### [long-T](long-T/README.md)');
      expect(withFurther).toContain('`npm run study -- -T 2 --out long-T`');
      expect(withFurther).toContain(`| Fashion-MNIST: VGG-11 ×0.125 | accuracy | ${b.conversion.summary.annValue.toFixed(4)} | – | – | ${acc[1]!.toFixed(4)} |`);
      // results.json round-trips (numbers to 6 significant digits).
      const back = JSON.parse(resultsJson(results)) as StudyResults;
      expect(back.datasets[0]!.backbones[0]!.conversion.stepMetrics['accuracy']).toEqual(acc.map((v) => Number(v.toPrecision(6))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
