// CIFAR-10 binary version: records of 1 label byte + 1024 R + 1024 G + 1024 B bytes (32×32, row-major).
import { join } from 'node:path';
import { readBytes, readDatasetFile } from './bytes.js';
import { DatasetFormatError } from './errors.js';
import { READ_BOUNDS } from './files.js';

export const CIFAR_RECORD = 1 + 3 * 1024;
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export interface CifarRaw {
  /** count × 32 × 32 × 3 bytes (HWC, converted from the file's CHW planes). */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/**
 * Reads CIFAR-10 batch files in order until `limit` records. Each file's length must be a
 * multiple of 3073 bytes and every label < 10.
 */
export async function readCifarFiles(files: string[], limit = Infinity): Promise<CifarRaw> {
  const parts: { file: string; bytes: Uint8Array; n: number }[] = [];
  let total = 0;
  for (const file of files) {
    if (total >= limit) break;
    const need = limit - total;
    const { bytes, complete } = await readBytes(file, Number.isFinite(need) ? need * CIFAR_RECORD : Infinity);
    if (complete && bytes.length % CIFAR_RECORD !== 0) {
      throw new DatasetFormatError(file, `size ${bytes.length} is not a multiple of the ${CIFAR_RECORD}-byte record`);
    }
    if (bytes.length === 0) throw new DatasetFormatError(file, 'empty batch file');
    const n = Math.min(Math.floor(bytes.length / CIFAR_RECORD), need);
    parts.push({ file, bytes, n });
    total += n;
  }
  const images = new Uint8Array(total * 3072);
  const labels = new Uint8Array(total);
  let k = 0;
  for (const { file, bytes, n } of parts) {
    for (let r = 0; r < n; r++, k++) {
      const off = r * CIFAR_RECORD;
      const label = bytes[off]!;
      if (label >= 10) throw new DatasetFormatError(file, `record ${r} has label ${label} (CIFAR-10 labels are 0..9)`);
      labels[k] = label;
      const dst = k * 3072;
      for (let p = 0; p < 1024; p++) {
        images[dst + 3 * p] = bytes[off + 1 + p]!;
        images[dst + 3 * p + 1] = bytes[off + 1 + 1024 + p]!;
        images[dst + 3 * p + 2] = bytes[off + 1 + 2048 + p]!;
      }
    }
  }
  return { images, labels, count: total };
}

export function cifarTrainFiles(dir: string): string[] {
  return [1, 2, 3, 4, 5].map((i) => join(dir, `data_batch_${i}.bin`));
}

export function cifarTestFiles(dir: string): string[] {
  return [join(dir, 'test_batch.bin')];
}

/** Class names from batches.meta.txt when present, else the standard ten. */
export async function cifarClassNames(dir: string): Promise<string[]> {
  try {
    const names = (await readDatasetFile(join(dir, 'batches.meta.txt'), READ_BOUNDS.json)).toString('utf8').split('\n').map((s) => s.trim()).filter(Boolean);
    return names.length === 10 ? names : CIFAR10_CLASSES;
  } catch {
    return CIFAR10_CLASSES;
  }
}
