// The one entry the job workers call: spec → normalised in-memory splits.
import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import type { DatasetInfo, DatasetSpec } from '../formats/dataset.js';
import { CIFAR_RECORD, cifarClassNames, cifarTestFiles, cifarTrainFiles, readCifarFiles } from './cifar.js';
import { DatasetFormatError, DatasetSpecError } from './errors.js';
import { FASHION_MNIST_CLASSES, findIdxFile, readIdx, readIdxPair } from './idx.js';
import { cropSlices, cropsPerSlice, readLucchiPng, readLucchiTiff, type SliceStack } from './lucchi.js';
import { CIFAR10_MEAN, CIFAR10_STD, normalizeBytes, type Normalization } from './normalize.js';
import { mergeOptions, optList, optNumber, optString } from './options.js';
import { headSamples, splitValidation } from './split.js';
import { syntheticClassification, syntheticSegmentation } from './synthetic.js';
import type { LoadedDataset, LoadOptions, Split } from './types.js';

type Raw = Record<string, number | string | boolean>;
const NORMS = ['none', 'unit', 'symmetric', 'standard'] as const;

function needPath(spec: DatasetSpec): string {
  if (!spec.path) throw new DatasetSpecError(`dataset format '${spec.format}' needs a path`);
  return spec.path;
}

function checkTask(spec: DatasetSpec, task: 'classification' | 'segmentation'): void {
  if (spec.task !== task) throw new DatasetSpecError(`format '${spec.format}' is a ${task} data set, spec says '${spec.task}'`);
}

function toFloats(bytes: Uint8Array, labels: Uint8Array, count: number, channels: number, o: Raw, dflt: Normalization, mean?: number[], std?: number[]): Split {
  const mode = optString(o, 'normalize', NORMS, dflt);
  const m = optList(o, 'mean') ?? mean ?? Array<number>(channels).fill(0.5);
  const s = optList(o, 'std') ?? std ?? Array<number>(channels).fill(0.5);
  return { images: normalizeBytes(bytes, channels, mode, m, s), labels: Float32Array.from(labels), count };
}

async function loadIdx(spec: DatasetSpec, o: Raw): Promise<Omit<LoadedDataset, 'validation'>> {
  checkTask(spec, 'classification');
  const dir = needPath(spec);
  const tr = await readIdxPair(dir, 'train', optNumber(o, 'maxTrain', Infinity, 0));
  const te = await readIdxPair(dir, 't10k', optNumber(o, 'maxTest', Infinity, 0));
  if (tr.height !== te.height || tr.width !== te.width) {
    throw new DatasetFormatError(dir, `train images are ${tr.height}×${tr.width}, test images ${te.height}×${te.width}`);
  }
  const fashion = /fashion/i.test(dir);
  return {
    name: basename(dir),
    task: 'classification',
    imageShape: [tr.height, tr.width, 1],
    numClasses: 10,
    train: toFloats(tr.images, tr.labels, tr.count, 1, o, 'unit'),
    test: toFloats(te.images, te.labels, te.count, 1, o, 'unit'),
    ...(fashion ? { classNames: FASHION_MNIST_CLASSES } : {}),
    synthetic: false,
  };
}

async function loadCifar(spec: DatasetSpec, o: Raw): Promise<Omit<LoadedDataset, 'validation'>> {
  checkTask(spec, 'classification');
  const dir = needPath(spec);
  const tr = await readCifarFiles(cifarTrainFiles(dir), optNumber(o, 'maxTrain', Infinity, 0));
  const te = await readCifarFiles(cifarTestFiles(dir), optNumber(o, 'maxTest', Infinity, 0));
  return {
    name: basename(dir),
    task: 'classification',
    imageShape: [32, 32, 3],
    numClasses: 10,
    train: toFloats(tr.images, tr.labels, tr.count, 3, o, 'standard', CIFAR10_MEAN, CIFAR10_STD),
    test: toFloats(te.images, te.labels, te.count, 3, o, 'standard', CIFAR10_MEAN, CIFAR10_STD),
    classNames: await cifarClassNames(dir),
    synthetic: false,
  };
}

async function loadLucchi(spec: DatasetSpec, o: Raw): Promise<Omit<LoadedDataset, 'validation'>> {
  checkTask(spec, 'segmentation');
  const dir = needPath(spec);
  const size = optNumber(o, 'crop', 256, 0);
  const perSlice = optNumber(o, 'cropsPerSlice', 4, 1);
  const seed = optNumber(o, 'seed', 0);
  const read = spec.format === 'lucchi-tiff' ? readLucchiTiff : readLucchiPng;
  const one = async (split: 'train' | 'test', limit: number, mode: 'tile' | 'random'): Promise<{ s: Split; side: [number, number] }> => {
    // Read only the slices the cap needs: a cap of n crops needs ceil(n / cropsPerSlice) slices.
    let stack: SliceStack = await read(dir, split, Number.isFinite(limit) ? 1 : Infinity);
    const per = cropsPerSlice(stack.height, stack.width, { size, mode, perSlice });
    if (per === 0) throw new DatasetSpecError(`${dir}: crop ${size} exceeds the ${stack.width}×${stack.height} slices`);
    if (Number.isFinite(limit)) stack = await read(dir, split, Math.ceil(limit / per));
    const c = cropSlices(stack, { size, mode, perSlice, seed: seed + (split === 'train' ? 0 : 1), limit }, dir);
    return { s: { images: c.images, labels: c.labels, count: c.count }, side: c.side };
  };
  const tr = await one('train', optNumber(o, 'maxTrain', Infinity, 0), optString(o, 'cropMode', ['tile', 'random'] as const, 'random'));
  const te = await one('test', optNumber(o, 'maxTest', Infinity, 0), optString(o, 'cropMode', ['tile', 'random'] as const, 'tile'));
  return {
    name: basename(dir),
    task: 'segmentation',
    imageShape: [tr.side[0], tr.side[1], 1],
    numClasses: 1,
    train: tr.s,
    test: te.s,
    synthetic: false,
  };
}

function synthClassOpts(o: Raw) {
  return {
    numClasses: optNumber(o, 'numClasses', 10, 2, 1000),
    height: optNumber(o, 'height', optNumber(o, 'size', 28, 1), 1),
    width: optNumber(o, 'width', optNumber(o, 'size', 28, 1), 1),
    channels: optNumber(o, 'channels', 1, 1, 16),
    train: Math.min(optNumber(o, 'trainCount', 1024, 0), optNumber(o, 'maxTrain', Infinity, 0)),
    test: Math.min(optNumber(o, 'testCount', 256, 0), optNumber(o, 'maxTest', Infinity, 0)),
    noise: optNumber(o, 'noise', 0.35, 0),
    seed: optNumber(o, 'seed', 0),
  };
}

function synthSegOpts(o: Raw) {
  return {
    height: optNumber(o, 'height', optNumber(o, 'size', 64, 8), 8),
    width: optNumber(o, 'width', optNumber(o, 'size', 64, 8), 8),
    train: Math.min(optNumber(o, 'trainCount', 64, 0), optNumber(o, 'maxTrain', Infinity, 0)),
    test: Math.min(optNumber(o, 'testCount', 16, 0), optNumber(o, 'maxTest', Infinity, 0)),
    minObjects: optNumber(o, 'minObjects', 2, 0),
    maxObjects: optNumber(o, 'maxObjects', 5, 0),
    noise: optNumber(o, 'noise', 0.05, 0),
    seed: optNumber(o, 'seed', 0),
  };
}

/**
 * Loads a data set described by `spec` (options from spec.options, overridden by `opts`):
 * reads at most maxTrain/maxTest samples (streaming where the format allows), normalises,
 * and — when validationSplit > 0 — holds out a seeded fraction of the training samples as
 * `validation`. Every reader validates what it reads and throws DatasetFormatError naming the file.
 */
export async function loadDataset(spec: DatasetSpec, opts?: LoadOptions): Promise<LoadedDataset> {
  const o = mergeOptions(spec, opts);
  let ds: Omit<LoadedDataset, 'validation'>;
  switch (spec.format) {
    case 'idx':
      ds = await loadIdx(spec, o);
      break;
    case 'cifar10':
      ds = await loadCifar(spec, o);
      break;
    case 'lucchi-tiff':
    case 'lucchi-png':
      ds = await loadLucchi(spec, o);
      break;
    case 'synthetic-classification': {
      checkTask(spec, 'classification');
      const so = synthClassOpts(o);
      ds = { name: 'synthetic-classification', task: 'classification', imageShape: [so.height, so.width, so.channels], numClasses: so.numClasses, ...syntheticClassification(so), synthetic: true };
      break;
    }
    case 'synthetic-segmentation': {
      checkTask(spec, 'segmentation');
      const so = synthSegOpts(o);
      ds = { name: 'synthetic-segmentation', task: 'segmentation', imageShape: [so.height, so.width, 1], numClasses: 1, ...syntheticSegmentation(so), synthetic: true };
      break;
    }
    default:
      throw new DatasetSpecError(`unknown dataset format '${String((spec as { format: unknown }).format)}'`);
  }
  const [h, w, c] = ds.imageShape;
  const imgSize = h * w * c;
  const lblSize = ds.task === 'segmentation' ? h * w : 1;
  const train = headSamples(ds.train, optNumber(o, 'maxTrain', Infinity, 0), imgSize, lblSize);
  const test = headSamples(ds.test, optNumber(o, 'maxTest', Infinity, 0), imgSize, lblSize);
  const vs = optNumber(o, 'validationSplit', 0, 0, 1);
  if (vs > 0) {
    const parts = splitValidation(train, vs, optNumber(o, 'seed', 0), imgSize, lblSize);
    return { ...ds, train: parts.train, validation: parts.validation, test };
  }
  return { ...ds, train, test };
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    throw new DatasetFormatError(file, 'file not found');
  }
}

/**
 * Shape, counts and classes without decoding pixels (headers, file sizes, one slice), for
 * registration-time validation. Synthetic sets report their configured sizes.
 */
export async function inspectDataset(spec: DatasetSpec): Promise<DatasetInfo> {
  const o = mergeOptions(spec);
  switch (spec.format) {
    case 'idx': {
      checkTask(spec, 'classification');
      const dir = needPath(spec);
      const counts: number[] = [];
      let shape: [number, number, number] = [0, 0, 1];
      for (const p of ['train', 't10k'] as const) {
        const img = await readIdx(await findIdxFile(dir, `${p}-images-idx3-ubyte`), 3, 0);
        const lblFile = await findIdxFile(dir, `${p}-labels-idx1-ubyte`);
        const lbl = await readIdx(lblFile, 1, 0);
        if (img.dims[0] !== lbl.dims[0]) throw new DatasetFormatError(lblFile, `${lbl.dims[0]} labels for ${img.dims[0]} images`);
        counts.push(img.dims[0]!);
        shape = [img.dims[1]!, img.dims[2]!, 1];
      }
      const fashion = /fashion/i.test(dir);
      return { name: basename(dir), task: 'classification', imageShape: shape, numClasses: 10, trainCount: counts[0]!, testCount: counts[1]!, ...(fashion ? { classNames: FASHION_MNIST_CLASSES } : {}), synthetic: false };
    }
    case 'cifar10': {
      checkTask(spec, 'classification');
      const dir = needPath(spec);
      const count = async (files: string[]): Promise<number> => {
        let n = 0;
        for (const f of files) {
          const size = await fileSize(f);
          if (size % CIFAR_RECORD !== 0) throw new DatasetFormatError(f, `size ${size} is not a multiple of the ${CIFAR_RECORD}-byte record`);
          n += size / CIFAR_RECORD;
        }
        return n;
      };
      return { name: basename(dir), task: 'classification', imageShape: [32, 32, 3], numClasses: 10, trainCount: await count(cifarTrainFiles(dir)), testCount: await count(cifarTestFiles(dir)), classNames: await cifarClassNames(dir), synthetic: false };
    }
    case 'lucchi-tiff':
    case 'lucchi-png': {
      // One slice per split is decoded to learn the slice size; counts are in crops.
      checkTask(spec, 'segmentation');
      const dir = needPath(spec);
      const size = optNumber(o, 'crop', 256, 0);
      const perSlice = optNumber(o, 'cropsPerSlice', 4, 1);
      const read = spec.format === 'lucchi-tiff' ? readLucchiTiff : readLucchiPng;
      const slices = async (split: 'train' | 'test'): Promise<{ n: number; h: number; w: number }> => {
        const s = await read(dir, split, 1);
        return { n: s.total, h: s.height, w: s.width };
      };
      const tr = await slices('train');
      const te = await slices('test');
      const side: [number, number] = size > 0 ? [size, size] : [tr.h, tr.w];
      return {
        name: basename(dir), task: 'segmentation', imageShape: [side[0], side[1], 1], numClasses: 1,
        trainCount: tr.n * cropsPerSlice(tr.h, tr.w, { size, perSlice, mode: optString(o, 'cropMode', ['tile', 'random'] as const, 'random') }),
        testCount: te.n * cropsPerSlice(te.h, te.w, { size, perSlice, mode: optString(o, 'cropMode', ['tile', 'random'] as const, 'tile') }),
        synthetic: false,
      };
    }
    case 'synthetic-classification': {
      checkTask(spec, 'classification');
      const so = synthClassOpts(o);
      return { name: 'synthetic-classification', task: 'classification', imageShape: [so.height, so.width, so.channels], numClasses: so.numClasses, trainCount: so.train, testCount: so.test, synthetic: true };
    }
    case 'synthetic-segmentation': {
      checkTask(spec, 'segmentation');
      const so = synthSegOpts(o);
      return { name: 'synthetic-segmentation', task: 'segmentation', imageShape: [so.height, so.width, 1], numClasses: 1, trainCount: so.train, testCount: so.test, synthetic: true };
    }
    default:
      throw new DatasetSpecError(`unknown dataset format '${String((spec as { format: unknown }).format)}'`);
  }
}

