// A tiny IDX data set on disk (Fashion-MNIST layout, 8×8 images) for registration tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeIdx } from '../../src/data/idx.js';

export function writeTinyIdx(dir: string, train = 12, test = 6, classes = 3): string {
  mkdirSync(dir, { recursive: true });
  for (const [p, n] of [['train', train], ['t10k', test]] as const) {
    writeFileSync(join(dir, `${p}-images-idx3-ubyte`), encodeIdx([n, 8, 8], new Uint8Array(n * 64).map((_, i) => (i * 7) % 256)));
    writeFileSync(join(dir, `${p}-labels-idx1-ubyte`), encodeIdx([n], new Uint8Array(n).map((_, i) => i % classes)));
  }
  return dir;
}
