// Flags of `npm run study` (experiments/study/run.ts): parsed into one settings object that the
// run records verbatim. Defaults are sized for the 2-core build machine (see README.md there).
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ZOO_ARCHITECTURES, type ZooArchitecture } from '../../src/formats/model.js';

/** One classification backbone of the study: an architecture at a width multiplier. */
export interface BackboneChoice {
  architecture: ZooArchitecture;
  width: number;
}

export interface StudySettings {
  /** Fashion-MNIST IDX directory (always studied). */
  fashionDir: string;
  /** CIFAR-10 binary directory (studied only when given). */
  cifar10Dir: string | null;
  architectures: ZooArchitecture[];
  widths: number[];
  /** Training images read per data set (10 % of them held out for validation). */
  trainSamples: number;
  /** Test images every conversion is evaluated on (the ANN on the same images). */
  testSamples: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Simulated time steps of the main conversions (p = 0.99, Γ = 5, LIPool). */
  timeSteps: number;
  sweep: {
    backbones: BackboneChoice[];
    gammas: number[];
    percentiles: number[];
    timeSteps: number;
    testSamples: number;
  };
  unet: {
    enabled: boolean;
    size: number;
    depth: number;
    baseWidth: number;
    trainSamples: number;
    testSamples: number;
    epochs: number;
    timeSteps: number;
  };
  seed: number;
  /** Where README.md, results.json and the PNG figures go. */
  outDir: string;
  /** Re-write README.md and the figures from outDir/results.json without training anything. */
  reportOnly: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const DEFAULT_FASHION_DIR = '/usr/share/datasets/fashion-mnist';

export const DEFAULT_SETTINGS: Readonly<StudySettings> = Object.freeze({
  fashionDir: DEFAULT_FASHION_DIR,
  cifar10Dir: null,
  architectures: ['vgg11', 'vgg16', 'resnet18', 'resnet34'],
  widths: [0.25, 0.5],
  trainSamples: 5000,
  testSamples: 300,
  epochs: 1,
  batchSize: 32,
  learningRate: 0.05,
  timeSteps: 64,
  sweep: {
    backbones: [{ architecture: 'vgg11', width: 0.25 }, { architecture: 'resnet18', width: 0.25 }],
    gammas: [1, 3, 5],
    percentiles: [0.99, 0.999],
    timeSteps: 32,
    testSamples: 200,
  },
  unet: { enabled: true, size: 64, depth: 3, baseWidth: 8, trainSamples: 320, testSamples: 32, epochs: 3, timeSteps: 64 },
  seed: 0,
  outDir: 'experiments/study',
  reportOnly: false,
}) as StudySettings;

export const USAGE = `npm run study -- [options]

Trains and converts the study's backbones (VGG-11, VGG-16, ResNet-18, ResNet-34 at each width) on
Fashion-MNIST (and CIFAR-10 when given), a UNet on the synthetic EM set, runs a Γ × p sweep, and
writes README.md, results.json and PNG figures to --out.

  --fashion DIR            Fashion-MNIST IDX files (default ${DEFAULT_FASHION_DIR}; env STUDY_FASHION_MNIST)
  --cifar10 DIR            CIFAR-10 binary version (data_batch_1..5.bin, test_batch.bin); env STUDY_CIFAR10.
                           Nothing is downloaded: without it CIFAR-10 is skipped
  --architectures LIST     default vgg11,vgg16,resnet18,resnet34
  --widths LIST            width multipliers, default 0.25,0.5 (add 1 on a bigger machine)
  --epochs N               default 1
  --train-samples N        training images read per data set (10 % held out for validation), default 5000
  --test-samples N         test images per conversion, default 300
  --batch-size N           training batch, default 32
  --lr X                   initial learning rate (SGD, momentum 0.9, cosine), default 0.05
  -T, --time-steps N       T of the main conversions (p = 0.99, Γ = 5, LIPool), default 64
  --sweep LIST             sweep backbones as arch@width, default vgg11@0.25,resnet18@0.25 ("none" = no sweep)
  --sweep-gamma LIST       default 1,3,5
  --sweep-percentile LIST  default 0.99,0.999
  --sweep-T N              default 32
  --sweep-test-samples N   default 200
  --unet / --no-unet       the UNet on the synthetic EM set (default on)
  --unet-size N            image side, default 64
  --unet-train-samples N   default 320
  --unet-test-samples N    default 32
  --unet-epochs N          default 3
  --unet-T N               default 64
  --seed N                 default 0
  --out DIR                default experiments/study
  --report-only            re-write README.md and figures from DIR/results.json
  -h, --help`;

function int(flag: string, v: string, min: number, max = 1e9): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} needs an integer in ${min}..${max}, got '${v}'`);
  return n;
}

function num(flag: string, v: string, min: number, max: number, minExclusive = false): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (minExclusive && n === min)) {
    throw new UsageError(`${flag} needs a number in ${minExclusive ? '(' : '['}${min}, ${max}], got '${v}'`);
  }
  return n;
}

function list<T>(flag: string, v: string, each: (s: string) => T): T[] {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((s) => s === '')) throw new UsageError(`${flag} needs a comma-separated list, got '${v}'`);
  const out = parts.map(each);
  return out.filter((x, i) => out.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i);
}

function arch(flag: string, s: string): ZooArchitecture {
  const ok = (ZOO_ARCHITECTURES as readonly string[]).includes(s) && s !== 'unet';
  if (!ok) throw new UsageError(`${flag}: unknown architecture '${s}' (one of ${ZOO_ARCHITECTURES.filter((a) => a !== 'unet').join(', ')})`);
  return s as ZooArchitecture;
}

function backbone(flag: string, s: string): BackboneChoice {
  const m = /^([a-z0-9-]+)@([0-9.]+)$/.exec(s);
  if (!m) throw new UsageError(`${flag}: '${s}' is not arch@width (e.g. vgg11@0.25)`);
  return { architecture: arch(flag, m[1] as string), width: num(flag, m[2] as string, 0.01, 16) };
}

/** A directory that must hold the named files; the message says which one is missing. */
export function checkDataDir(what: string, dir: string, files: string[]): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${what}: ${dir} is not a directory`);
  for (const f of files) {
    const p = join(dir, f);
    if (!existsSync(p) && !existsSync(p.replace(/\.gz$/, ''))) throw new UsageError(`${what}: ${dir} has no ${f}`);
  }
}

export const FASHION_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
export const CIFAR10_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat('test_batch.bin');

/**
 * Parses the study's flags (argv without node and the script). Environment: STUDY_FASHION_MNIST,
 * STUDY_CIFAR10 (flags win). Returns null for --help. Throws UsageError on bad input. Data
 * directories are checked only by checkDataDir (the caller does it, so that parsing stays pure).
 */
export function parseStudyArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): StudySettings | null {
  const s: StudySettings = structuredClone(DEFAULT_SETTINGS);
  if (env['STUDY_FASHION_MNIST']) s.fashionDir = env['STUDY_FASHION_MNIST'];
  if (env['STUDY_CIFAR10']) s.cifar10Dir = env['STUDY_CIFAR10'];
  const args = [...argv];
  while (args.length > 0) {
    const raw = args.shift() as string;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? args.shift();
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return null;
      case '--fashion': s.fashionDir = value(); break;
      case '--cifar10': s.cifar10Dir = value(); break;
      case '--architectures': s.architectures = list(flag, value(), (x) => arch(flag, x)); break;
      case '--widths': s.widths = list(flag, value(), (x) => num(flag, x, 0.01, 16)); break;
      case '--epochs': s.epochs = int(flag, value(), 1, 10000); break;
      case '--train-samples': s.trainSamples = int(flag, value(), 20, 60000); break;
      case '--test-samples': s.testSamples = int(flag, value(), 1, 10000); break;
      case '--batch-size': s.batchSize = int(flag, value(), 1, 65536); break;
      case '--lr': s.learningRate = num(flag, value(), 0, 10, true); break;
      case '-T':
      case '--time-steps': s.timeSteps = int(flag, value(), 1, 4096); break;
      case '--sweep': {
        const v = value();
        s.sweep.backbones = v === 'none' ? [] : list(flag, v, (x) => backbone(flag, x));
        break;
      }
      case '--sweep-gamma': s.sweep.gammas = list(flag, value(), (x) => int(flag, x, 1, 1024)); break;
      case '--sweep-percentile': s.sweep.percentiles = list(flag, value(), (x) => num(flag, x, 0, 1, true)); break;
      case '--sweep-T': s.sweep.timeSteps = int(flag, value(), 1, 4096); break;
      case '--sweep-test-samples': s.sweep.testSamples = int(flag, value(), 1, 10000); break;
      case '--unet': s.unet.enabled = true; break;
      case '--no-unet': s.unet.enabled = false; break;
      case '--unet-size': s.unet.size = int(flag, value(), 16, 1024); break;
      case '--unet-train-samples': s.unet.trainSamples = int(flag, value(), 4, 100000); break;
      case '--unet-test-samples': s.unet.testSamples = int(flag, value(), 1, 10000); break;
      case '--unet-epochs': s.unet.epochs = int(flag, value(), 1, 10000); break;
      case '--unet-T': s.unet.timeSteps = int(flag, value(), 1, 4096); break;
      case '--seed': s.seed = int(flag, value(), 0, 2 ** 31 - 1); break;
      case '--out': s.outDir = value(); break;
      case '--report-only': s.reportOnly = true; break;
      default:
        throw new UsageError(`unknown option '${raw}' (see --help)`);
    }
  }
  if (s.unet.size % 2 ** s.unet.depth !== 0) throw new UsageError(`--unet-size must be divisible by ${2 ** s.unet.depth} (UNet depth ${s.unet.depth}), got ${s.unet.size}`);
  s.outDir = resolve(s.outDir);
  return s;
}
