// Content-addressed model store: <root>/<sha[0..2]>/<sha256>. Writes go to <root>/.tmp/<pid>-<rand>.part,
// are fsynced, renamed into place and the directory fsynced, so a crash leaves either the whole
// file or an ignorable temp file. Every read re-hashes the content; a mismatch is never returned.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError, NotFoundError, StoreIntegrityError } from './errors.js';

const SHA256_RE = /^[0-9a-f]{64}$/;
const TMP_DIR = '.tmp';
/** An upload not imported within this time is deleted by the next temp-file cleaning. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;
const UPLOAD_ID_RE = /^[0-9a-f]{32}$/;

/** A file streamed to the store's temp directory, waiting to be imported (importCheckpoint uploadId). */
export interface Upload {
  uploadId: string;
  sha256: string;
  sizeBytes: number;
}

/** An upload larger than the limit: nothing was kept. */
export class UploadTooLargeError extends InvalidInputError {
  constructor(readonly limit: number) {
    super('body', `the upload exceeds ${limit} bytes`);
  }
}

export interface StoredFile {
  sha256: string;
  sizeBytes: number;
  /** False when identical content was already stored (deduplicated). */
  created: boolean;
}

export interface GcResult {
  deleted: string[];
  kept: number;
  tempFilesRemoved: number;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class ModelStore {
  /** Files this process is writing or has written but not yet recorded (never collected). */
  private readonly pinned = new Map<string, number>();
  private readonly writing = new Set<string>();
  private readonly uploads = new Map<string, Upload & { path: string; at: number }>();

  constructor(readonly root: string) {}

  /** Creates the directories and removes temp files left by dead processes. */
  async init(): Promise<void> {
    await mkdir(join(this.root, TMP_DIR), { recursive: true });
    await this.cleanTemp();
  }

  pathOf(sha256: string): string {
    if (!SHA256_RE.test(sha256)) throw new InvalidInputError('sha256', `"${sha256}" is not a lowercase hex sha256`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /**
   * Stores `data` and returns its sha256. Identical content is stored once. The file stays pinned
   * (safe from the garbage collector) until unpin(sha) — call it after the row that references it
   * is committed.
   */
  async put(data: Uint8Array): Promise<StoredFile> {
    const sha256 = sha256Hex(data);
    this.pin(sha256);
    const final = this.pathOf(sha256);
    if (existsSync(final)) {
      const onDisk = sha256Hex(await readFile(final));
      if (onDisk === sha256) {
        // refresh mtime so another process's collector treats the file as just written
        const now = new Date();
        await utimes(final, now, now);
        return { sha256, sizeBytes: data.byteLength, created: false };
      }
      // a corrupt copy: replace it atomically with the good bytes below
    }
    const tmp = join(this.root, TMP_DIR, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
    this.writing.add(tmp);
    try {
      await mkdir(join(this.root, TMP_DIR), { recursive: true });
      const handle = await open(tmp, 'wx');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
      await rename(tmp, final);
      await fsyncDir(join(this.root, sha256.slice(0, 2)));
    } catch (err) {
      await rm(tmp, { force: true });
      this.unpin(sha256);
      throw err;
    } finally {
      this.writing.delete(tmp);
    }
    return { sha256, sizeBytes: data.byteLength, created: true };
  }

  /** Reads a stored file and verifies its hash; StoreIntegrityError when it does not match. */
  async get(sha256: string): Promise<Buffer> {
    const path = this.pathOf(sha256);
    const data = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new NotFoundError('Stored file', sha256);
      throw err;
    });
    const actual = sha256Hex(data);
    if (actual !== sha256) throw new StoreIntegrityError(sha256, actual);
    return data;
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  pin(sha256: string): void {
    this.pinned.set(sha256, (this.pinned.get(sha256) ?? 0) + 1);
  }

  unpin(sha256: string): void {
    const n = (this.pinned.get(sha256) ?? 0) - 1;
    if (n > 0) this.pinned.set(sha256, n);
    else this.pinned.delete(sha256);
  }

  /**
   * Streams `body` to a temp file (fsynced), hashing it on the way, and keeps it as an upload until
   * takeUpload() or UPLOAD_TTL_MS. More than `maxBytes` stops the stream and keeps nothing.
   */
  async receive(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Upload> {
    const tmp = join(this.root, TMP_DIR, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
    this.writing.add(tmp);
    const hash = createHash('sha256');
    let sizeBytes = 0;
    try {
      await mkdir(join(this.root, TMP_DIR), { recursive: true });
      const handle = await open(tmp, 'wx');
      try {
        for await (const chunk of body) {
          sizeBytes += chunk.byteLength;
          if (sizeBytes > maxBytes) throw new UploadTooLargeError(maxBytes);
          hash.update(chunk);
          await handle.write(chunk);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (sizeBytes === 0) throw new InvalidInputError('body', 'the upload is empty');
      const upload = { uploadId: randomBytes(16).toString('hex'), sha256: hash.digest('hex'), sizeBytes };
      this.uploads.set(upload.uploadId, { ...upload, path: tmp, at: Date.now() });
      return upload;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    } finally {
      this.writing.delete(tmp);
    }
  }

  /** The bytes of an upload, checked against the hash taken while receiving it. */
  async readUpload(uploadId: string): Promise<Buffer> {
    const up = UPLOAD_ID_RE.test(uploadId) ? this.uploads.get(uploadId) : undefined;
    if (!up) throw new NotFoundError('Upload', uploadId);
    const data = await readFile(up.path);
    const actual = sha256Hex(data);
    if (actual !== up.sha256) throw new StoreIntegrityError(up.sha256, actual);
    return data;
  }

  /** Deletes an upload (after its import, or when the import was refused). */
  async discardUpload(uploadId: string): Promise<void> {
    const up = this.uploads.get(uploadId);
    if (!up) return;
    this.uploads.delete(uploadId);
    await rm(up.path, { force: true });
  }

  /** Every sha256 stored (temp files and foreign names are ignored). */
  async list(): Promise<string[]> {
    if (!existsSync(this.root)) return [];
    const out: string[] = [];
    for (const shard of await readdir(this.root, { withFileTypes: true })) {
      if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
      for (const f of await readdir(join(this.root, shard.name))) {
        if (SHA256_RE.test(f) && f.startsWith(shard.name)) out.push(f);
      }
    }
    return out.sort();
  }

  /** Removes temp files whose writer is gone (another pid that is dead, or ours but finished), and expired uploads. */
  async cleanTemp(): Promise<number> {
    const dir = join(this.root, TMP_DIR);
    if (!existsSync(dir)) return 0;
    let removed = 0;
    const waiting = new Set<string>();
    for (const [id, up] of this.uploads) {
      if (Date.now() - up.at < UPLOAD_TTL_MS) waiting.add(up.path);
      else this.uploads.delete(id);
    }
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (this.writing.has(path) || waiting.has(path)) continue;
      const pid = Number(/^(\d+)-/.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) continue;
      await rm(path, { force: true, recursive: true });
      removed++;
    }
    return removed;
  }

  /**
   * Deletes stored files whose sha256 is not in `referenced` and not pinned, and that are older
   * than `minAgeMs` (a file another process has just written but not yet recorded stays).
   */
  async gc(referenced: ReadonlySet<string>, minAgeMs = 60 * 60 * 1000): Promise<GcResult> {
    const tempFilesRemoved = await this.cleanTemp();
    const deleted: string[] = [];
    let kept = 0;
    const now = Date.now();
    for (const sha of await this.list()) {
      if (referenced.has(sha) || this.pinned.has(sha)) {
        kept++;
        continue;
      }
      const path = this.pathOf(sha);
      const info = await stat(path).catch(() => null);
      if (!info || now - info.mtimeMs < minAgeMs) {
        kept++;
        continue;
      }
      await rm(path, { force: true });
      deleted.push(sha);
    }
    return { deleted, kept, tempFilesRemoved };
  }
}
