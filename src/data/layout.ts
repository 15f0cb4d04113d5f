// Registration-time check of a data-set directory: it lies under the data roots, holds the files
// its format names — each a regular file under the roots after symlinks are resolved — and their
// headers read as that format (inspectDataset: IDX magic and counts, CIFAR record sizes, one TIFF
// page or PNG slice per split). A directory such as /etc or /proc/self fails here, not in a job.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetFormat, DatasetInfo, Task } from '../formats/index.js';
import { DatasetFormatError } from './errors.js';
import { resolveUnderRoots } from './files.js';
import { inspectDataset } from './load.js';

/** Files a format reads, relative to its directory; `[a, b]` means either spelling. */
const REQUIRED: Partial<Record<DatasetFormat, readonly (string | readonly string[])[]>> = {
  idx: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map((b) => [b, `${b}.gz`] as const),
  cifar10: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'],
  'lucchi-tiff': ['training.tif', 'training_groundtruth.tif', 'testing.tif', 'testing_groundtruth.tif'],
};
const OPTIONAL: Partial<Record<DatasetFormat, readonly string[]>> = { cifar10: ['batches.meta.txt'] };
const PNG_FOLDERS = ['train/images', 'train/labels', 'test/images', 'test/labels'];

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

async function checkFiles(dir: string, format: DatasetFormat, roots: readonly string[]): Promise<void> {
  for (const entry of REQUIRED[format] ?? []) {
    const names = typeof entry === 'string' ? [entry] : entry;
    let found: string | undefined;
    for (const n of names) if (await exists(join(dir, n))) found = n;
    if (!found) throw new DatasetFormatError(join(dir, names[0]!), `missing: a ${format} data set needs ${names.join(' or ')} in its directory`);
    await resolveUnderRoots(join(dir, found), roots, 'file');
  }
  for (const n of OPTIONAL[format] ?? []) if (await exists(join(dir, n))) await resolveUnderRoots(join(dir, n), roots, 'file');
  if (format === 'lucchi-png') {
    for (const sub of PNG_FOLDERS) {
      const folder = await resolveUnderRoots(join(dir, sub), roots, 'directory').catch(() => {
        throw new DatasetFormatError(join(dir, sub), 'missing: a lucchi-png data set needs train/images, train/labels, test/images and test/labels folders');
      });
      for (const name of await readdir(folder)) if (name.toLowerCase().endsWith('.png')) await resolveUnderRoots(join(folder, name), roots, 'file');
    }
  }
}

/**
 * Checks a data-set directory for registration; returns its real path (symlinks resolved) and
 * what inspecting it found. Throws FileAccessError (roots, file types), DatasetFormatError
 * (missing or malformed files) or DatasetSpecError (options the format refuses).
 */
export async function checkDatasetLayout(format: DatasetFormat, task: Task, path: string, roots: readonly string[], options?: Record<string, string | number | boolean>): Promise<{ path: string; info: DatasetInfo }> {
  const dir = await resolveUnderRoots(path, roots, 'directory');
  await checkFiles(dir, format, roots);
  const info = await inspectDataset({ format, task, path: dir, ...(options && { options }) });
  return { path: dir, info };
}

/**
 * The files (relative to `dir`) a data set of `format` reads: what a remote worker must download
 * to load it. Synthetic sets have none. The directory was checked at registration.
 */
export async function datasetFileNames(format: DatasetFormat, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of REQUIRED[format] ?? []) {
    const names = typeof entry === 'string' ? [entry] : entry;
    let found: string | undefined;
    for (const n of names) if (await exists(join(dir, n))) found = n;
    if (!found) throw new DatasetFormatError(join(dir, names[0]!), `missing: a ${format} data set needs ${names.join(' or ')} in its directory`);
    out.push(found);
  }
  for (const n of OPTIONAL[format] ?? []) if (await exists(join(dir, n))) out.push(n);
  if (format === 'lucchi-png') {
    for (const sub of PNG_FOLDERS) {
      for (const name of (await readdir(join(dir, sub))).sort()) if (name.toLowerCase().endsWith('.png')) out.push(`${sub}/${name}`);
    }
  }
  return out;
}
