import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CIFAR10_MEAN, CIFAR10_STD, DatasetFormatError, encodeGreyPng, encodeGreyTiffStack, encodeIdx, inspectDataset, loadDataset,
} from '../../../src/data/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spikelab-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeIdxSet(sub: string, nTrain: number, nTest: number, gz: boolean, tweak?: (name: string, b: Uint8Array) => Uint8Array): Promise<string> {
  const d = join(dir, sub);
  await mkdir(d, { recursive: true });
  const put = async (name: string, bytes: Uint8Array) => {
    const b = tweak ? tweak(name, bytes) : bytes;
    await writeFile(join(d, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
  };
  for (const [p, n] of [['train', nTrain], ['t10k', nTest]] as const) {
    const img = new Uint8Array(n * 28 * 28).map((_, i) => (i * 7) % 256);
    const lbl = new Uint8Array(n).map((_, i) => i % 10);
    await put(`${p}-images-idx3-ubyte`, encodeIdx([n, 28, 28], img));
    await put(`${p}-labels-idx1-ubyte`, encodeIdx([n], lbl));
  }
  return d;
}

describe('IDX reader', () => {
  it.each([true, false])('reads gz=%s, normalises to [0,1], caps and splits', async (gz) => {
    const d = await writeIdxSet(`idx-${gz}`, 20, 6, gz);
    const ds = await loadDataset({ format: 'idx', path: d, task: 'classification' }, { maxTrain: 15, validationSplit: 0.2, seed: 3 });
    expect(ds.imageShape).toEqual([28, 28, 1]);
    expect(ds.train.count + ds.validation!.count).toBe(15);
    expect(ds.validation!.count).toBe(3);
    expect(ds.test.count).toBe(6);
    expect(ds.test.images[1]).toBeCloseTo(7 / 255, 6);
    expect(Array.from(ds.test.labels)).toEqual([0, 1, 2, 3, 4, 5]);
    const info = await inspectDataset({ format: 'idx', path: d, task: 'classification' });
    expect([info.trainCount, info.testCount]).toEqual([20, 6]);
  });

  it('same seed → same split', async () => {
    const d = await writeIdxSet('idx-seed', 20, 2, false);
    const a = await loadDataset({ format: 'idx', path: d, task: 'classification', options: { validationSplit: 0.25, seed: 9 } });
    const b = await loadDataset({ format: 'idx', path: d, task: 'classification', options: { validationSplit: 0.25, seed: 9 } });
    expect(Array.from(a.validation!.labels)).toEqual(Array.from(b.validation!.labels));
  });

  const corrupt: [string, (name: string, b: Uint8Array) => Uint8Array, RegExp][] = [
    ['bad magic', (n, b) => (n.startsWith('train-images') ? b.map((v, i) => (i === 0 ? 7 : v)) : b), /magic/],
    ['wrong rank', (n, b) => (n.startsWith('train-images') ? b.map((v, i) => (i === 3 ? 2 : v)) : b), /rank 2/],
    ['truncated', (n, b) => (n.startsWith('train-images') ? b.subarray(0, b.length - 100) : b), /truncated/],
    ['trailing bytes', (n, b) => (n.startsWith('t10k-images') ? new Uint8Array([...b, 1, 2]) : b), /trailing/],
    ['count mismatch', (n, b) => (n.startsWith('train-labels') ? encodeIdx([3], new Uint8Array(3)) : b), /labels/],
    ['label out of range', (n, b) => (n.startsWith('t10k-labels') ? b.map((v, i) => (i === 9 ? 12 : v)) : b), /label 12/],
  ];
  it.each(corrupt)('refuses %s naming the file', async (name, tweak, re) => {
    const d = await writeIdxSet(`idx-bad-${name.replace(/ /g, '')}`, 5, 2, true, tweak);
    const err = await loadDataset({ format: 'idx', path: d, task: 'classification' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as Error).message).toMatch(re);
    expect((err as DatasetFormatError).file).toContain(d);
  });

  it('refuses a missing file', async () => {
    await expect(loadDataset({ format: 'idx', path: join(dir, 'nope'), task: 'classification' })).rejects.toThrow(DatasetFormatError);
  });
});

describe('CIFAR-10 reader', () => {
  async function writeCifar(sub: string, per: number, tweak?: (b: Uint8Array, i: number) => Uint8Array): Promise<string> {
    const d = join(dir, sub);
    await mkdir(d, { recursive: true });
    const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
    for (const [k, name] of names.entries()) {
      let b: Uint8Array = new Uint8Array(per * 3073);
      for (let r = 0; r < per; r++) {
        b[r * 3073] = (r + k) % 10;
        b.fill(10, r * 3073 + 1, r * 3073 + 1025); // R
        b.fill(20, r * 3073 + 1025, r * 3073 + 2049); // G
        b.fill(30, r * 3073 + 2049, r * 3073 + 3073); // B
      }
      if (tweak) b = tweak(b, k);
      await writeFile(join(d, name), b);
    }
    return d;
  }

  it('reads planes into HWC with the study normalisation', async () => {
    const d = await writeCifar('cifar', 3);
    const ds = await loadDataset({ format: 'cifar10', path: d, task: 'classification' }, { maxTrain: 7 });
    expect(ds.train.count).toBe(7);
    expect(ds.test.count).toBe(3);
    expect(Array.from(ds.train.labels)).toEqual([0, 1, 2, 1, 2, 3, 2]);
    for (const [c, v] of [10, 20, 30].entries()) expect(ds.train.images[c]).toBeCloseTo((v / 255 - CIFAR10_MEAN[c]!) / CIFAR10_STD[c]!, 5);
    expect(ds.classNames).toHaveLength(10);
    expect((await inspectDataset({ format: 'cifar10', path: d, task: 'classification' })).trainCount).toBe(15);
  });

  it('refuses a partial record and a bad label', async () => {
    const d1 = await writeCifar('cifar-short', 2, (b, k) => (k === 5 ? b.subarray(0, 3073 + 5) : b));
    await expect(loadDataset({ format: 'cifar10', path: d1, task: 'classification' })).rejects.toThrow(/test_batch\.bin.*multiple of the 3073/);
    const d2 = await writeCifar('cifar-label', 2, (b, k) => (k === 0 ? b.map((v, i) => (i === 3073 ? 11 : v)) : b));
    await expect(loadDataset({ format: 'cifar10', path: d2, task: 'classification' })).rejects.toThrow(/data_batch_1\.bin: record 1 has label 11/);
  });
});

describe('Lucchi readers', () => {
  const W = 24;
  const H = 16;
  const slice = (s: number) => new Uint8Array(W * H).map((_, i) => (i + s) % 256);
  const mask = (s: number) => new Uint8Array(W * H).map((_, i) => ((i + s) % 3 === 0 ? 255 : 0));

  it('reads TIFF stacks, tiles and random crops, scales to [-1,1] and {0,1}', async () => {
    const d = join(dir, 'lucchi-tif');
    await mkdir(d, { recursive: true });
    for (const b of ['training', 'testing']) {
      await writeFile(join(d, `${b}.tif`), encodeGreyTiffStack(W, H, [0, 1, 2].map(slice)));
      await writeFile(join(d, `${b}_groundtruth.tif`), encodeGreyTiffStack(W, H, [0, 1, 2].map(mask)));
    }
    const ds = await loadDataset({ format: 'lucchi-tiff', path: d, task: 'segmentation' }, { crop: 8, cropsPerSlice: 2, maxTest: 5 });
    expect(ds.imageShape).toEqual([8, 8, 1]);
    expect(ds.train.count).toBe(6); // 3 slices × 2 random crops
    expect(ds.test.count).toBe(5); // tile grid 2×3 per slice, capped at 5
    // test tile 0 of slice 0 = rows 0..7, cols 0..7
    expect(ds.test.images[9]).toBeCloseTo(((W + 1) % 256) / 127.5 - 1, 5);
    expect(ds.test.labels[0]).toBe(1);
    expect(ds.test.labels[1]).toBe(0);
    const info = await inspectDataset({ format: 'lucchi-tiff', path: d, task: 'segmentation', options: { crop: 8 } });
    expect([info.trainCount, info.testCount]).toEqual([12, 18]);
    const whole = await loadDataset({ format: 'lucchi-tiff', path: d, task: 'segmentation' }, { crop: 0 });
    expect(whole.imageShape).toEqual([H, W, 1]);
  });

  it('refuses mismatched TIFF stacks and non-binary masks', async () => {
    const d = join(dir, 'lucchi-tif-bad');
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'training.tif'), encodeGreyTiffStack(W, H, [0, 1, 2].map(slice)));
    await writeFile(join(d, 'training_groundtruth.tif'), encodeGreyTiffStack(W, H, [0, 1].map(mask)));
    await expect(loadDataset({ format: 'lucchi-tiff', path: d, task: 'segmentation' }, { crop: 8 })).rejects.toThrow(/3 slices but .*has 2/);
    await writeFile(join(d, 'training_groundtruth.tif'), encodeGreyTiffStack(W, H, [0, 1, 2].map((s) => mask(s).map((v) => (v ? 7 : 0)))));
    await expect(loadDataset({ format: 'lucchi-tiff', path: d, task: 'segmentation' }, { crop: 8 })).rejects.toThrow(/training_groundtruth\.tif: slice 0: label value 7/);
    await writeFile(join(d, 'training_groundtruth.tif'), new Uint8Array([1, 2, 3, 4, 5]));
    await expect(loadDataset({ format: 'lucchi-tiff', path: d, task: 'segmentation' }, { crop: 8 })).rejects.toThrow(/not a TIFF/);
  });

  it('reads PNG slice folders and refuses a size mismatch', async () => {
    const d = join(dir, 'lucchi-png');
    for (const split of ['train', 'test']) {
      for (const kind of ['images', 'labels']) await mkdir(join(d, split, kind), { recursive: true });
      for (const s of [0, 1]) {
        await writeFile(join(d, split, 'images', `000${s}.png`), await encodeGreyPng(W, H, slice(s)));
        await writeFile(join(d, split, 'labels', `000${s}.png`), await encodeGreyPng(W, H, mask(s)));
      }
    }
    const ds = await loadDataset({ format: 'lucchi-png', path: d, task: 'segmentation' }, { crop: 16, cropMode: 'tile' });
    expect(ds.train.count).toBe(2);
    expect(ds.train.images[1]).toBeCloseTo(1 / 127.5 - 1, 5);
    await writeFile(join(d, 'test', 'labels', '0001.png'), await encodeGreyPng(W, H - 1, mask(1).subarray(0, W * (H - 1))));
    await expect(loadDataset({ format: 'lucchi-png', path: d, task: 'segmentation' }, { crop: 16 })).rejects.toThrow(/0001\.png: label is 24×15/);
    await writeFile(join(d, 'test', 'labels', '0001.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    await expect(loadDataset({ format: 'lucchi-png', path: d, task: 'segmentation' }, { crop: 16 })).rejects.toThrow(/0001\.png: cannot decode PNG/);
    await rm(join(d, 'test', 'labels', '0001.png'));
    await expect(loadDataset({ format: 'lucchi-png', path: d, task: 'segmentation' }, { crop: 16 })).rejects.toThrow(/2 image slices but .*labels has 1/);
  });
});

describe('synthetic sets', () => {
  it('classification: seeded and shaped', async () => {
    const spec = { format: 'synthetic-classification' as const, task: 'classification' as const, options: { trainCount: 40, testCount: 10, seed: 5, numClasses: 4 } };
    const a = await loadDataset(spec);
    const b = await loadDataset(spec);
    expect(a.synthetic).toBe(true);
    expect(a.imageShape).toEqual([28, 28, 1]);
    expect(Array.from(a.train.images.subarray(0, 50))).toEqual(Array.from(b.train.images.subarray(0, 50)));
    expect(new Set(Array.from(a.train.labels)).size).toBe(4);
  });

  it('segmentation: exact binary masks with objects', async () => {
    const ds = await loadDataset({ format: 'synthetic-segmentation', task: 'segmentation', options: { size: 32, trainCount: 4, testCount: 2, seed: 1 } });
    expect(ds.imageShape).toEqual([32, 32, 1]);
    expect(ds.train.labels.every((v) => v === 0 || v === 1)).toBe(true);
    const fg = ds.train.labels.reduce((s, v) => s + v, 0) / ds.train.labels.length;
    expect(fg).toBeGreaterThan(0.02);
    expect(fg).toBeLessThan(0.7);
    expect(Math.min(...ds.train.images)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...ds.train.images)).toBeLessThanOrEqual(1);
  });
});
