// Server-side files named by callers (data sets, checkpoints to import): only regular files (and
// directories of them) under the configured data roots, resolved through symlinks, and every read
// bounded in size and time. Special files are refused before any byte is read: a FIFO is opened
// with O_NONBLOCK (open would otherwise wait for a writer on a libuv thread forever) and every
// opened file is fstat-checked, so /dev/zero, FIFOs, sockets and devices never reach a read.
import { constants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { FileAccessError } from './errors.js';

/** The data roots used when SPIKELAB_DATA_ROOTS is not set. */
export const DEFAULT_DATASET_ROOT = '/usr/share/datasets';

/** Default roots: the working directory, the model store and /usr/share/datasets. */
export function defaultDataRoots(storeDir: string): string[] {
  return [process.cwd(), resolve(storeDir), DEFAULT_DATASET_ROOT];
}

/** Parses a colon-separated SPIKELAB_DATA_ROOTS value: absolute directories, at least one. */
export function parseDataRoots(value: string): string[] {
  const roots = value.split(':').map((r) => r.trim()).filter(Boolean);
  if (roots.length === 0) throw new FileAccessError(value, 'names no directory (SPIKELAB_DATA_ROOTS is a colon-separated list of absolute directories)');
  for (const r of roots) if (!isAbsolute(r)) throw new FileAccessError(r, 'is not an absolute path (SPIKELAB_DATA_ROOTS takes absolute directories)');
  return roots;
}

/** Size and time bounds of one read. */
export interface ReadBounds {
  maxBytes: number;
  timeoutMs: number;
}

const MiB = 1024 * 1024;

/** The bounds of each kind of read (README "Security" lists them). */
export const READ_BOUNDS = {
  /** A checkpoint's weights (safetensors file, tfjs .bin shards together). */
  weights: { maxBytes: 2048 * MiB, timeoutMs: 120_000 },
  /** JSON beside weights (tfjs model.json) and small text files (CIFAR class names). */
  json: { maxBytes: 64 * MiB, timeoutMs: 30_000 },
  /** One data-set file (IDX, CIFAR batch, TIFF stack, PNG slice), decompressed bytes included. */
  dataset: { maxBytes: 2048 * MiB, timeoutMs: 300_000 },
} as const satisfies Record<string, ReadBounds>;

function within(real: string, root: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

function describeType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * The real path of `path` (symlinks resolved) when it lies under one of `roots` and is a regular
 * file ('file') or a directory ('directory'); FileAccessError otherwise. A path outside the roots
 * gets the same answer whether or not it exists.
 */
export async function resolveUnderRoots(path: string, roots: readonly string[], want: 'file' | 'directory'): Promise<string> {
  const abs = resolve(path);
  const realRoots = (await Promise.all(roots.map((r) => realpath(r).catch(() => null)))).filter((r): r is string => r !== null);
  const outside = () => new FileAccessError(abs, `is outside the data roots (${roots.join(':')}); the server reads only there (SPIKELAB_DATA_ROOTS)`);
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    if (!realRoots.some((r) => within(abs, r))) throw outside();
    throw new FileAccessError(abs, 'does not exist');
  }
  if (!realRoots.some((r) => within(real, r))) throw outside();
  const st = await stat(real);
  if (want === 'file' && !st.isFile()) throw new FileAccessError(abs, `is ${describeType(st)}, not a regular file`);
  if (want === 'directory' && !st.isDirectory()) throw new FileAccessError(abs, 'is not a directory');
  return real;
}

/**
 * Opens a regular file for reading without ever blocking on it: O_NONBLOCK (a FIFO opens at once),
 * then fstat on the descriptor refuses anything but a regular file, and one over `maxBytes`.
 */
export async function openRegularFile(path: string, maxBytes: number): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileAccessError(path, code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by the server' : 'cannot be opened');
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new FileAccessError(path, `is ${describeType(st)}, not a regular file`);
    if (st.size > maxBytes) throw new FileAccessError(path, `is ${st.size} bytes; the limit for this kind of file is ${maxBytes}`);
    return { handle, size: st.size };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** A deadline for one bounded read: `check()` throws once `timeoutMs` have passed. */
export function deadline(path: string, timeoutMs: number): { check(): void } {
  const until = Date.now() + timeoutMs;
  return {
    check() {
      if (Date.now() > until) throw new FileAccessError(path, `took longer than ${timeoutMs / 1000} s to read`);
    },
  };
}

const CHUNK = 8 * MiB;

/**
 * Reads a whole regular file within `bounds`: refused before reading when it is not a regular file
 * or too large, refused while reading past the deadline or when it grows beyond its size.
 */
export async function readBoundedFile(path: string, bounds: ReadBounds): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path, bounds.maxBytes);
  const clock = deadline(path, bounds.timeoutMs);
  try {
    const out = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      clock.check();
      const { bytesRead } = await handle.read(out, got, Math.min(CHUNK, size - got), got);
      if (bytesRead === 0) throw new FileAccessError(path, `shrank while being read (${got} of ${size} bytes)`);
      got += bytesRead;
    }
    const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, size);
    if (bytesRead > 0) throw new FileAccessError(path, `grew while being read (beyond ${size} bytes)`);
    return out;
  } finally {
    await handle.close();
  }
}
